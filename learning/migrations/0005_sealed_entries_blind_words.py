"""The search index holds no clear words (decision 0038): titles and excerpts sealed under their
incident's key, and the words kept as blind words. The old entries held clear text, so they are
removed and the index rebuilt by the running code's `rebuild` (as 0003 did: the entries must be
exactly what the live index writes).
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


def rebuild_blind(apps: Any, schema_editor: Any) -> None:
    entries = apps.get_model("learning", "SearchEntry")
    if not entries.objects.exists():
        return
    entries.objects.all().delete()
    from learning.search import rebuild

    rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0004_search_org_kind"),
        ("incidents", "0021_sealed_children"),
        ("breaches", "0003_sealed_children"),
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
        migrations.RunPython(_sqlite(_index.SQLITE), _sqlite(_index.SQLITE_REVERSE)),
        migrations.RunPython(rebuild_blind, migrations.RunPython.noop),
    ]
