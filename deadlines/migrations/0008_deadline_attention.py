from datetime import timedelta

from django.db import migrations, models
from django.db.models import ExpressionWrapper, F


def first_moments(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Every open deadline starts at its first moment (`attention.first`): the first scan after
    the upgrade looks at each overdue one once and finds what was already chased."""
    from deadlines.models import ico_warning_hours

    Deadline = apps.get_model("deadlines", "Deadline")
    open_rows = Deadline.objects.filter(met_at__isnull=True, stopped="")
    open_rows.exclude(kind="ico").update(attention_at=F("due_at"))
    earliest = timedelta(hours=max(ico_warning_hours()))
    open_rows.filter(kind="ico").update(
        attention_at=ExpressionWrapper(F("due_at") - earliest, output_field=models.DateTimeField())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0007_deadline_deadline_open"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadline",
            name="attention_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=models.Q(("attention_at__isnull", False)),
                fields=["attention_at", "id"],
                name="deadline_attention",
            ),
        ),
        migrations.RunPython(first_moments, migrations.RunPython.noop),
    ]
