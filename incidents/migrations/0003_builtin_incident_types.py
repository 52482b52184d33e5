"""The built-in incident types every organisation starts with (DOMAIN.md, from 003 and 004 4.6)."""

from django.db import migrations

BUILT_IN_TYPES = [
    ("Lost or stolen device", "A laptop, phone, tablet or memory stick lost or stolen."),
    ("Paper records lost", "Paper files or printouts lost, left behind or stolen."),
    ("Email or post to the wrong person", "Information sent to the wrong recipient by email, post or other means."),
    ("Receiving data meant for someone else", "Information that should have gone elsewhere arrived here."),
    ("Malware", "A virus, ransomware or other malicious software."),
    ("Phishing", "A deceptive email, message or call trying to get information, money or access."),
    ("Unauthorised access", "Someone saw or used information or systems they should not have."),
    ("Credentials shared or written down", "Passwords or access codes shared, written down or exposed."),
    ("Poor disposal", "Information or equipment disposed of without secure destruction."),
    ("Physical security breach", "Doors, offices, cabinets or buildings not secured as they should be."),
    ("System malfunction", "A system failed or behaved in a way that put information or a service at risk."),
    (
        "Data placed on an unapproved or non-UK service",
        "Information stored or shared on a service the organisation has not approved, or outside the UK.",
    ),
    ("Policy non-compliance", "A policy was not followed, with no other type fitting better."),
    ("Other", "Anything not covered above."),
]


def add_types(apps, schema_editor):
    IncidentType = apps.get_model("incidents", "IncidentType")
    for position, (name, description) in enumerate(BUILT_IN_TYPES, start=1):
        IncidentType.objects.get_or_create(
            organisation=None, name=name, defaults={"description": description, "position": position * 10}
        )


def remove_types(apps, schema_editor):
    IncidentType = apps.get_model("incidents", "IncidentType")
    IncidentType.objects.filter(organisation=None, name__in=[name for name, _ in BUILT_IN_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_classification_ico_reporter_actions")]

    operations = [migrations.RunPython(add_types, remove_types)]
