"""The search index holds no clear words (decision 0038): titles and excerpts sealed under their
incident's key, and the words kept as blind words. The old entries held clear text, so they are
removed and the index rebuilt by the running code's `rebuild` (as 0003 did: the entries must be
exactly what the live index writes), the places a person is named (0005) included. It runs after
the latest migrations of the apps whose rows it reads.
"""

import importlib
from typing import Any

from django.db import migrations

import audit.sealing

# SQLite rebuilds the entries' table to change a column's type, which drops the triggers that
# keep its FTS5 index: the index is dropped first and made again after (0002's own statements).
_index = importlib.import_module("learning.migrations.0002_search_index")


def _sqlite(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run


def forget_clear(apps: Any, schema_editor: Any) -> None:
    # Before the FTS5 index is made again: its delete trigger would ask it to forget rows it never held.
    apps.get_model("learning", "SearchEntry").objects.all().delete()


def rebuild_blind(apps: Any, schema_editor: Any) -> None:
    if not apps.get_model("incidents", "Incident").objects.exists():
        return
    from learning.search import rebuild

    rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0005_person_places"),
        ("incidents", "0021_sealed_children"),
        ("breaches", "0003_sealed_children"),
        ("evidence", "0002_sealed_names"),
        ("accounts", "0002_signin_cache_table"),
    ]

    operations = [
        migrations.RunPython(_sqlite(_index.SQLITE_REVERSE), _sqlite(_index.SQLITE)),
        migrations.AlterField(
            model_name="searchentry",
            name="excerpt",
            field=audit.sealing.SealedTextField(blank=True, key_from="incident"),
        ),
        migrations.AlterField(
            model_name="searchentry",
            name="title",
            field=audit.sealing.SealedCharField(key_from="incident", max_length=300),
        ),
        migrations.RunPython(forget_clear, migrations.RunPython.noop),
        migrations.RunPython(_sqlite(_index.SQLITE), _sqlite(_index.SQLITE_REVERSE)),
        migrations.RunPython(rebuild_blind, migrations.RunPython.noop),
    ]
