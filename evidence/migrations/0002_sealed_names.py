"""Seal evidence files' uploaded names and descriptions under their incident's data key (decision 0038).

The files themselves are sealed by `manage.py seal_evidence` (a data migration that reads and
writes the evidence store would depend on the store being reachable while migrating); until
then they are read as they are, and `verify_events` counts them.
"""

from django.db import migrations

import audit.sealing
from audit import reseal


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Incident = apps.get_model("incidents", "Incident")
    Evidence = apps.get_model("evidence", "Evidence")
    # An incident whose key was destroyed keeps nothing to seal with (disposal removes its files).
    holders = {pk: (uuid, key) for pk, uuid, key in Incident.objects.values_list("pk", "uuid", "content_key") if key}
    reseal.seal_columns(Evidence, ["original_name", "description"], lambda row: holders.get(row.incident_id))


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0001_initial"),
        ("incidents", "0020_sealed_content"),
    ]

    operations = [
        migrations.AlterField(
            model_name="evidence",
            name="description",
            field=audit.sealing.SealedCharField(blank=True, key_from="incident", max_length=500),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="original_name",
            field=audit.sealing.SealedCharField(key_from="incident", max_length=255),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
