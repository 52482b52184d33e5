"""Each built-in incident type and checklist item once: partial unique indexes on the rows with no
organisation (NULLs are distinct in a unique index, and Django creates `nulls_distinct=False`
only on PostgreSQL; a partial index works on SQLite and PostgreSQL alike)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("incidents", "0007_merge_duplicate_builtins")]

    operations = [
        migrations.AddConstraint(
            model_name="incidenttype",
            constraint=models.UniqueConstraint(
                condition=models.Q(("organisation__isnull", True)), fields=("name",), name="one_builtin_type_name"
            ),
        ),
        migrations.AddConstraint(
            model_name="checklisttemplateitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("incident_type__isnull", True), ("organisation__isnull", True)),
                fields=("text",),
                name="one_builtin_checklist_item",
            ),
        ),
        migrations.AddConstraint(
            model_name="checklisttemplateitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("organisation__isnull", True)),
                fields=("incident_type", "text"),
                name="one_builtin_checklist_item_per_type",
            ),
        ),
    ]
