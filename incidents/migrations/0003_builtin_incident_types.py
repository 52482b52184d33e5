"""The built-in incident types every organisation starts with (the list is in incidents/builtins.py)."""

from django.db import migrations

from incidents.builtins import BUILT_IN_TYPES, add_types


def remove_types(apps, schema_editor):
    IncidentType = apps.get_model("incidents", "IncidentType")
    IncidentType.objects.filter(organisation=None, name__in=[name for name, _ in BUILT_IN_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_classification_ico_reporter_actions")]

    operations = [migrations.RunPython(add_types, remove_types)]
