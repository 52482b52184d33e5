"""Content types of the models that came from the folded investigation app now say incidents.

On a database that had the investigation app, its content-type rows are renamed in place (so
anything that points at them keeps pointing at the same rows); on a new database there are none.
"""

from django.db import migrations

MOVED = (
    "checklistitem",
    "checklisttemplateitem",
    "classification",
    "internalnote",
    "outcomereport",
    "outcomereview",
    "routing",
    "severitydefinition",
)


def rename(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="incidents", model=model).exists():
            ContentType.objects.filter(app_label="investigation", model=model).update(app_label="incidents")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0005_builtin_checklist"), ("contenttypes", "0002_remove_content_type_name")]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
