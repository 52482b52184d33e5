"""The built-in lists every organisation starts with, written once.

- `BUILT_IN_TYPES`: the incident types (DOMAIN.md, from 003 and 004 4.6), as (name, description).
- `POLICY_POINTS` and `TYPE_EXTRAS`: the investigation checklist, the points of the policies
  (000-002, point 3) as (text, is disciplinary), and extra items per built-in type.
- `DEFAULT_SEVERITY_DEFINITIONS`: the words for each severity until an organisation sets its own.

The data migrations that first created the rows (0003, 0005), the post_migrate re-seed
(`core.seeding`, registered in `incidents.apps`), the running code and the demo all import
from here, so there is no copy to drift.

`add_types` and `add_items` are given an app registry (a migration's historical one, or the
live one after `flush`), so they use only the fields the models had when migrations 0003 and
0005 ran. They use get_or_create on the fields that make a built-in unique (the constraints of
migration 0008), so running them again adds nothing. Nothing here imports a model: migrations
import this module.
"""

from typing import Any

BUILT_IN_TYPES: list[tuple[str, str]] = [
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

POLICY_POINTS: list[tuple[str, bool]] = [
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

TYPE_EXTRAS: dict[str, list[str]] = {
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

# Keyed by the values of Incident.Severity (plain strings: this module imports no model).
DEFAULT_SEVERITY_DEFINITIONS: dict[str, str] = {
    "minor": "No or minimal personal data, contained, no likely harm (most near misses).",
    "moderate": "Limited personal data reached an unintended but low-risk recipient, or a weakness needing action.",
    "major": ("A personal data breach likely to result in a risk to individuals, or an important service disrupted."),
    "critical": (
        "A likely high risk to individuals (safeguarding, special educational needs, health or other special "
        "category data; many people; malicious attack), or a critical service lost."
    ),
}


def add_types(apps: Any, schema_editor: Any) -> None:
    """Create the built-in incident types that are missing (data migration 0003 and every migrate)."""
    IncidentType = apps.get_model("incidents", "IncidentType")
    for position, (name, description) in enumerate(BUILT_IN_TYPES, start=1):
        IncidentType.objects.get_or_create(
            organisation=None, name=name, defaults={"description": description, "position": position * 10}
        )


def add_items(apps: Any, schema_editor: Any) -> None:
    """Create the built-in checklist items that are missing (data migration 0005 and every migrate)."""
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
        incident_type = IncidentType.objects.filter(organisation=None, name=type_name).order_by("pk").first()
        if incident_type is None:
            continue
        for offset, text in enumerate(texts, start=1):
            # After "Record evidence" and before the outcome report.
            Item.objects.get_or_create(
                organisation=None, incident_type=incident_type, text=text, defaults={"position": 30 + offset}
            )


def merge_duplicate_builtins(apps: Any, schema_editor: Any) -> None:
    """Make each built-in one row again, before the constraints of migration 0008 forbid copies.

    Built-ins have no organisation, and NULLs are distinct in a unique index, so the old
    (organisation, name) constraint let copies in: a type named twice, or a checklist item
    twice for the same type. For each set of copies the oldest row (lowest id) is kept,
    active if any copy was; everything that points at a copy (incidents, classifications,
    checklist template items, checklist items, type-review lines: any foreign key, found
    from the models, so an app that adds one later is covered) is moved to the kept row,
    then the copies are deleted. Types go first: moving template items onto the kept type
    can make items copies of each other, which the second pass merges.
    """
    IncidentType = apps.get_model("incidents", "IncidentType")
    Item = apps.get_model("incidents", "ChecklistTemplateItem")
    _merge_copies(IncidentType, IncidentType._base_manager.filter(organisation=None), ("name",))
    _merge_copies(Item, Item._base_manager.filter(organisation=None), ("incident_type_id", "text"))


def _merge_copies(model: Any, rows: Any, key: tuple[str, ...]) -> None:
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows.order_by("pk"):
        groups.setdefault(tuple(getattr(row, name) for name in key), []).append(row)
    pointers = [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)
    ]
    for kept, *copies in groups.values():
        if not copies:
            continue
        copy_ids = [copy.pk for copy in copies]
        for relation in pointers:
            field = relation.field
            relation.related_model._base_manager.filter(**{f"{field.name}__in": copy_ids}).update(**{field.name: kept})
        if not kept.is_active and any(copy.is_active for copy in copies):
            kept.is_active = True
            kept.save(update_fields=["is_active"])
        model._base_manager.filter(pk__in=copy_ids).delete()


# Which outside bodies are told of incidents of each built-in type, with each body's own
# deadline in clock hours where it sets one (None: no deadline, tell as soon as practical).
# Keys are `parties.models.Body` values; an organisation changes them on its "Other bodies
# told" settings page (`parties`), for itself and the organisations beneath it.
BODIES_TOLD: dict[str, dict[str, int | None]] = {
    # Ransomware and other malicious software: a crime, an insurance claim, and the DfE and
    # NCSC ask schools to tell them; the RPA's incident line asks for a call within 24 hours.
    "Malware": {"police": None, "insurer": 24, "ncsc": None, "dfe": None, "it": None},
    "Phishing": {"ncsc": None, "it": None},
    "Lost or stolen device": {"police": None, "it": None},
    "Unauthorised access": {"it": None},
    "System malfunction": {"it": None},
    "Physical security breach": {"police": None},
    "Data placed on an unapproved or non-UK service": {"it": None},
}
