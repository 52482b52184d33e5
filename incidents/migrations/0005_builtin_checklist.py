"""The built-in checklist: the points of the policies and extras per incident type (incidents/builtins.py)."""

from django.db import migrations

from incidents.builtins import add_items


def remove_items(apps, schema_editor):
    apps.get_model("incidents", "ChecklistTemplateItem").objects.filter(organisation=None).delete()


class Migration(migrations.Migration):
    replaces = [("investigation", "0002_builtin_checklist")]
    dependencies = [("incidents", "0004_investigation_models")]

    operations = [migrations.RunPython(add_items, remove_items)]
