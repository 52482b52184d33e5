"""On PostgreSQL, the index on the reported moment also carries each incident's organisation and
restriction (`INCLUDE`), the columns `visible_to` asks of every row.

The county's pages that read many incidents by the reported moment (the dashboard's twelve months,
a county's list and log, a school's count walking the county's newest rows for its own) then read
the index alone, not each row's page of the table: at a million incidents the dashboard's twelve
months 358 -> 50 ms (133,871 incidents, docs/lists.md "At scale"). The index keeps its name and
key, so the model's declaration and Django's record of it stay true; SQLite has no such indexes
(its declaration stands as it is).
"""

from django.db import migrations

COVERING = "CREATE INDEX incident_reported_idx ON incidents_incident (reported_on, id) INCLUDE (organisation_id, restricted_on)"
PLAIN = "CREATE INDEX incident_reported_idx ON incidents_incident (reported_on, id)"


def rebuild(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("DROP INDEX IF EXISTS incident_reported_idx")
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("incidents", "0022_legal_hold_and_disposal")]

    operations = [migrations.RunPython(rebuild(COVERING), rebuild(PLAIN))]
