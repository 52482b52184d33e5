"""Type reviews' actions point at actions.RemedialAction (moved from incidents; same table, state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("insights", "0002_reports_content_types"), ("actions", "0001_initial")]
    run_before = [("incidents", "0009_remedialaction_moved_to_actions")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="typereviewaction",
                    name="action",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="type_review_link",
                        to="actions.remedialaction",
                    ),
                ),
                migrations.AlterField(
                    model_name="typereview",
                    name="actions",
                    field=models.ManyToManyField(
                        related_name="type_reviews", through="insights.TypeReviewAction", to="actions.remedialaction"
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
