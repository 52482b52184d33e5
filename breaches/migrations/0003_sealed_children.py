"""Seal the breach assessment's facts, the DPO's decisions' reasons, the ICO report's details
and the ICO submissions' reasons and responses under each incident's data key (decision 0038)."""

from django.db import migrations

import audit.sealing
from audit import reseal

SEALED = {
    ("breaches", "Assessment"): ["facts"],
    ("breaches", "ReportDetails"): [
        "how_discovered",
        "systems_effect",
        "staff_involved",
        "measures_before",
        "containment",
        "recurrence_steps",
        "other_bodies_told",
        "advice_to_individuals",
    ],
    ("breaches", "IcoSubmission"): ["delay_reason", "ico_response"],
}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Incident = apps.get_model("incidents", "Incident")
    holders = {pk: (uuid, key) for pk, uuid, key in Incident.objects.values_list("pk", "uuid", "content_key")}
    for (app, name), columns in SEALED.items():
        reseal.seal_columns(apps.get_model(app, name), columns, lambda row: holders[row.incident_id])
    incident_of = dict(apps.get_model("breaches", "Assessment").objects.values_list("pk", "incident_id"))
    decisions = apps.get_model("breaches", "Decision")
    reseal.seal_columns(decisions, ["reason"], lambda row: holders[incident_of[row.assessment_id]])


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0020_sealed_content"),
        ("breaches", "0002_decision_severity"),
    ]

    operations = [
        migrations.AlterField(
            model_name="decision",
            name="reason",
            field=audit.sealing.SealedTextField(blank=True, key_from="assessment.incident"),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="facts",
            field=audit.sealing.SealedJSONField(key_from="incident"),
        ),
        migrations.AlterField(
            model_name="icosubmission",
            name="delay_reason",
            field=audit.sealing.SealedTextField(
                blank=True, key_from="incident", verbose_name="reasons for reporting after 72 hours"
            ),
        ),
        migrations.AlterField(
            model_name="icosubmission",
            name="ico_response",
            field=audit.sealing.SealedTextField(blank=True, key_from="incident", verbose_name="the ICO's response"),
        ),
        migrations.AlterField(
            model_name="reportdetails",
            name="advice_to_individuals",
            field=audit.sealing.SealedTextField(
                blank=True, key_from="incident", verbose_name="what the people affected can do to protect themselves"
            ),
        ),
        migrations.AlterField(
            model_name="reportdetails",
            name="containment",
            field=audit.sealing.SealedTextField(
                blank=True, key_from="incident", verbose_name="containment and recovery"
            ),
        ),
        migrations.AlterField(
            model_name="reportdetails",
            name="how_discovered",
            field=audit.sealing.SealedTextField(
                blank=True, key_from="incident", verbose_name="how the breach was discovered"
            ),
        ),
        migrations.AlterField(
            model_name="reportdetails",
            name="measures_before",
            field=audit.sealing.SealedTextField(
                blank=True, key_from="incident", verbose_name="measures in place beforehand"
            ),
        ),
        migrations.AlterField(
            model_name="reportdetails",
            name="other_bodies_told",
            field=audit.sealing.SealedTextField(
                blank=True, key_from="incident", verbose_name="other bodies told (police, NCSC, other regulators)"
            ),
        ),
        migrations.AlterField(
            model_name="reportdetails",
            name="recurrence_steps",
            field=audit.sealing.SealedTextField(
                blank=True, key_from="incident", verbose_name="steps taken to stop it happening again"
            ),
        ),
        migrations.AlterField(
            model_name="reportdetails",
            name="staff_involved",
            field=audit.sealing.SealedTextField(
                blank=True, key_from="incident", verbose_name="staff involved and their data protection training"
            ),
        ),
        migrations.AlterField(
            model_name="reportdetails",
            name="systems_effect",
            field=audit.sealing.SealedTextField(
                blank=True, key_from="incident", verbose_name="for cyber incidents: the effect on systems"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
