"""The severity column loses its own index (see `Incident.severity`).

Dropped by name rather than by Django's AlterField, which on SQLite copies the whole incident
table to drop one index. The name is the one Django gave it on both engines; PostgreSQL also had
its `_like` twin for pattern matching, which nothing asks of severity."""

from django.db import migrations, models

INDEX = "incidents_incident_severity_6aa0a879"


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0023_reported_index_covers_reach"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{INDEX}"', f'DROP INDEX IF EXISTS "{INDEX}_like"'],
                    reverse_sql=[f'CREATE INDEX "{INDEX}" ON "incidents_incident" ("severity")'],
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="incident",
                    name="severity",
                    field=models.CharField(
                        blank=True,
                        choices=[
                            ("minor", "Minor"),
                            ("moderate", "Moderate"),
                            ("major", "Major"),
                            ("critical", "Critical"),
                        ],
                        max_length=20,
                    ),
                ),
            ],
        ),
    ]
