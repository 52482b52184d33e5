"""Seal notes, classifications' reasons, outcome reports, corrections and oversight under each
incident's data key (decision 0038)."""

import django.core.serializers.json
from django.db import migrations

import audit.sealing
from audit import reseal

SEALED = {
    ("incidents", "Classification"): ["reason"],
    ("incidents", "InternalNote"): ["body"],
    ("incidents", "OutcomeReport"): [
        "summary",
        "root_cause",
        "data_and_people_affected",
        "containment_and_recovery",
        "notification_decisions",
        "disciplinary_outcome",
        "lessons_learned",
        "recommendations",
    ],
    ("incidents", "Correction"): ["old", "new", "reason"],
    ("incidents", "Oversight"): ["text"],
}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Incident = apps.get_model("incidents", "Incident")
    holders = {pk: (uuid, key) for pk, uuid, key in Incident.objects.values_list("pk", "uuid", "content_key")}
    for (app, name), columns in SEALED.items():
        reseal.seal_columns(apps.get_model(app, name), columns, lambda row: holders[row.incident_id])


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0020_sealed_content"),
    ]

    operations = [
        migrations.AlterField(
            model_name="classification",
            name="reason",
            field=audit.sealing.SealedTextField(blank=True, key_from="incident"),
        ),
        migrations.AlterField(
            model_name="correction",
            name="new",
            field=audit.sealing.SealedJSONField(
                blank=True, encoder=django.core.serializers.json.DjangoJSONEncoder, key_from="incident", null=True
            ),
        ),
        migrations.AlterField(
            model_name="correction",
            name="old",
            field=audit.sealing.SealedJSONField(
                blank=True, encoder=django.core.serializers.json.DjangoJSONEncoder, key_from="incident", null=True
            ),
        ),
        migrations.AlterField(
            model_name="correction",
            name="reason",
            field=audit.sealing.SealedTextField(key_from="incident"),
        ),
        migrations.AlterField(
            model_name="internalnote",
            name="body",
            field=audit.sealing.SealedTextField(key_from="incident"),
        ),
        migrations.AlterField(
            model_name="outcomereport",
            name="containment_and_recovery",
            field=audit.sealing.SealedTextField(blank=True, key_from="incident"),
        ),
        migrations.AlterField(
            model_name="outcomereport",
            name="data_and_people_affected",
            field=audit.sealing.SealedTextField(blank=True, key_from="incident"),
        ),
        migrations.AlterField(
            model_name="outcomereport",
            name="disciplinary_outcome",
            field=audit.sealing.SealedTextField(blank=True, key_from="incident"),
        ),
        migrations.AlterField(
            model_name="outcomereport",
            name="lessons_learned",
            field=audit.sealing.SealedTextField(blank=True, key_from="incident"),
        ),
        migrations.AlterField(
            model_name="outcomereport",
            name="notification_decisions",
            field=audit.sealing.SealedTextField(blank=True, key_from="incident"),
        ),
        migrations.AlterField(
            model_name="outcomereport",
            name="recommendations",
            field=audit.sealing.SealedTextField(blank=True, key_from="incident"),
        ),
        migrations.AlterField(
            model_name="outcomereport",
            name="root_cause",
            field=audit.sealing.SealedTextField(blank=True, key_from="incident"),
        ),
        migrations.AlterField(
            model_name="outcomereport",
            name="summary",
            field=audit.sealing.SealedTextField(blank=True, key_from="incident"),
        ),
        migrations.AlterField(
            model_name="oversight",
            name="text",
            field=audit.sealing.SealedTextField(blank=True, key_from="incident"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
