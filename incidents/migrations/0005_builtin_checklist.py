"""The built-in checklist: the twelve points of the policies (000-002, point 3) and extras per incident type."""

from django.db import migrations

POLICY_POINTS = [
    ("Identify expected outcomes, stakeholders and any policies breached", False),
    ("Speak to the staff involved", False),
    ("Record evidence and keep an audit trail of events and evidence supporting decisions", False),
    ("Get expert help where needed", False),
    ("Escalate where needed", False),
    ("Work with the Data Protection Officer on major and critical incidents", False),
    ("Inform data subjects (service users, staff) where appropriate", False),
    ("Identify and manage the risks of the incident", False),
    ("Commence disciplinary action, or record why not", True),
    ("Develop and carry out a communications plan where appropriate", False),
    ("Put in place controls to prevent recurrence", False),
    ("Complete the Incident Outcome Report", False),
]

TYPE_EXTRAS = {
    "Lost or stolen device": [
        "Remote wipe requested",
        "Check whether the device was encrypted",
        "Police informed of a theft (crime reference recorded)",
    ],
    "Email or post to the wrong person": [
        "Recall attempted",
        "Deletion confirmed in writing by the recipient",
    ],
    "Receiving data meant for someone else": ["Sender told and the information returned or deleted"],
    "Paper records lost": ["Search made and the places searched recorded"],
    "Malware": ["Affected devices isolated from the network", "Backups checked before restoring"],
    "Phishing": ["Passwords reset for anyone who replied or clicked", "Warning sent to staff"],
    "Credentials shared or written down": ["Passwords changed"],
    "Unauthorised access": ["Access removed and the access logs kept"],
    "Data placed on an unapproved or non-UK service": ["Data removed from the service and removal confirmed"],
    "Poor disposal": ["Remaining material collected and securely destroyed"],
}


def add_items(apps, schema_editor):
    Item = apps.get_model("incidents", "ChecklistTemplateItem")
    IncidentType = apps.get_model("incidents", "IncidentType")
    for position, (text, disciplinary) in enumerate(POLICY_POINTS, start=1):
        Item.objects.get_or_create(
            organisation=None,
            incident_type=None,
            text=text,
            defaults={"is_disciplinary": disciplinary, "position": position * 10},
        )
    for type_name, texts in TYPE_EXTRAS.items():
        incident_type = IncidentType.objects.filter(organisation=None, name=type_name).first()
        if incident_type is None:
            continue
        for offset, text in enumerate(texts, start=1):
            # After "Record evidence" and before the outcome report.
            Item.objects.get_or_create(
                organisation=None, incident_type=incident_type, text=text, defaults={"position": 30 + offset}
            )


def remove_items(apps, schema_editor):
    apps.get_model("incidents", "ChecklistTemplateItem").objects.filter(organisation=None).delete()


class Migration(migrations.Migration):
    replaces = [("investigation", "0002_builtin_checklist")]
    dependencies = [("incidents", "0004_investigation_models")]

    operations = [migrations.RunPython(add_items, remove_items)]
