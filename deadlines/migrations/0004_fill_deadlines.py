"""Store the deadlines of every incident and remedial action already in the database.

Works them out with the same rule as the running product (`deadlines.store.refresh_all`),
on this migration's historical models. Running it again changes nothing: rows are matched
by (incident, kind) or action and only rewritten where they differ.
"""

from typing import Any

from django.db import migrations


def fill(apps: Any, schema_editor: Any) -> None:
    from deadlines.store import refresh_all

    refresh_all(
        models={
            name: apps.get_model(app, name)
            for app, name in [
                ("incidents", "Incident"),
                ("actions", "RemedialAction"),
                ("incidents", "ReporterMessage"),
                ("deadlines", "Deadline"),
                ("deadlines", "Timescales"),
            ]
        }
    )


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0003_deadline"),
        ("actions", "0001_initial"),
        ("incidents", "0009_remedialaction_moved_to_actions"),
        ("organisations", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
