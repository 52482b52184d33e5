"""The escalation's action points at actions.RemedialAction (moved from incidents; same table, state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial"), ("actions", "0001_initial")]
    run_before = [("incidents", "0009_remedialaction_moved_to_actions")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="escalation",
                    name="action",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalations",
                        to="actions.remedialaction",
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
