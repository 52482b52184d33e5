"""Content types of the app once called reports now say insights (renamed in place; none on a new database)."""

from django.db import migrations

MOVED = ("importbatch", "importedrow", "importmapping", "typereview", "typereviewaction", "typereviewline")


def rename(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="insights", model=model).exists():
            ContentType.objects.filter(app_label="reports", model=model).update(app_label="insights")


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_initial"), ("contenttypes", "0002_remove_content_type_name")]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
