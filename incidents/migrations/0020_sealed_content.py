"""Seal incidents' content at rest (decision 0038).

Each incident gets its own data key; its clear columns and its reporter messages are sealed
under it; then the content of every event of an incident is sealed and each organisation's
record re-chained over the sealed form, after it verifies as it was (audit/reseal.py).
"""

from django.db import migrations, models

import audit.sealing
from audit import reseal, sealing

SEALED = [
    "description",
    "location",
    "information_involved",
    "data_subjects",
    "people_involved",
    "action_taken",
    "symptoms",
    "reporter_name",
    "reporter_contact",
    "ico_decision_reason",
    "restriction_reason",
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Incident = apps.get_model("incidents", "Incident")
    ReporterMessage = apps.get_model("incidents", "ReporterMessage")
    for incident in Incident.objects.filter(content_key__isnull=True).only("pk").iterator():
        Incident.objects.filter(pk=incident.pk).update(content_key=sealing.new_wrapped_key())
    holders = {pk: (uuid, key) for pk, uuid, key in Incident.objects.values_list("pk", "uuid", "content_key")}
    reseal.seal_columns(Incident, SEALED, lambda row: holders[row.pk])
    reseal.seal_columns(ReporterMessage, ["body"], lambda row: holders[row.incident_id])
    reseal.reseal_events(apps, schema_editor.connection, "incidents.incident", lambda pk: holders.get(int(pk)))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0019_list_indexes"),
        ("audit", "0004_rekey_chains"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="content_key",
            field=models.TextField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="incident",
            name="action_taken",
            field=audit.sealing.SealedTextField(blank=True, verbose_name="action already taken"),
        ),
        migrations.AlterField(
            model_name="incident",
            name="data_subjects",
            field=audit.sealing.SealedCharField(blank=True, max_length=300, verbose_name="whose data"),
        ),
        migrations.AlterField(
            model_name="incident",
            name="description",
            field=audit.sealing.SealedTextField(verbose_name="what happened"),
        ),
        migrations.AlterField(
            model_name="incident",
            name="ico_decision_reason",
            field=audit.sealing.SealedTextField(blank=True, verbose_name="reason for the ICO decision"),
        ),
        migrations.AlterField(
            model_name="incident",
            name="information_involved",
            field=audit.sealing.SealedTextField(blank=True, verbose_name="what information or equipment is involved"),
        ),
        migrations.AlterField(
            model_name="incident",
            name="location",
            field=audit.sealing.SealedCharField(blank=True, max_length=300, verbose_name="where it happened"),
        ),
        migrations.AlterField(
            model_name="incident",
            name="people_involved",
            field=audit.sealing.SealedTextField(blank=True, verbose_name="people involved"),
        ),
        migrations.AlterField(
            model_name="incident",
            name="reporter_contact",
            field=audit.sealing.SealedCharField(blank=True, max_length=300, verbose_name="how to contact the reporter"),
        ),
        migrations.AlterField(
            model_name="incident",
            name="reporter_name",
            field=audit.sealing.SealedCharField(blank=True, max_length=200, verbose_name="reporter's name"),
        ),
        migrations.AlterField(
            model_name="incident",
            name="restriction_reason",
            field=audit.sealing.SealedTextField(blank=True, verbose_name="why it is restricted"),
        ),
        migrations.AlterField(
            model_name="incident",
            name="symptoms",
            field=audit.sealing.SealedTextField(blank=True, verbose_name="on-screen symptoms or error messages"),
        ),
        migrations.AlterField(
            model_name="reportermessage",
            name="body",
            field=audit.sealing.SealedTextField(key_from="incident"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="incident",
            name="content_key",
            field=models.TextField(default=audit.sealing.new_wrapped_key, editable=False, null=True),
        ),
    ]
