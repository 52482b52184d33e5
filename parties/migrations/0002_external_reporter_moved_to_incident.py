"""Who reported an incident without an account has one home: the incident's own reporter
fields (`reporter_name`, `reporter_contact`, `reporter_relationship`). The public page's
named reporters were kept in `ExternalReporter` as well; copy each onto its incident (never
over something the incident already holds), then drop the model."""

from django.db import migrations


def copy_onto_incidents(apps, schema_editor):
    ExternalReporter = apps.get_model("parties", "ExternalReporter")
    Incident = apps.get_model("incidents", "Incident")
    for external in ExternalReporter.objects.select_related("incident").iterator():
        incident = external.incident
        incident.reporter_name = incident.reporter_name or external.name
        incident.reporter_contact = incident.reporter_contact or external.email
        incident.reporter_relationship = incident.reporter_relationship or external.relationship
        Incident.objects.filter(pk=incident.pk).update(
            reporter_name=incident.reporter_name,
            reporter_contact=incident.reporter_contact,
            reporter_relationship=incident.reporter_relationship,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0001_third_parties_and_bodies"),
        ("incidents", "0015_incident_reporter_relationship"),
    ]

    operations = [
        # Going back recreates an empty table: the names stay on the incidents.
        migrations.RunPython(copy_onto_incidents, migrations.RunPython.noop),
        migrations.DeleteModel(name="ExternalReporter"),
    ]
