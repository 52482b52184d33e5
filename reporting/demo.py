"""Demo data: fictional organisations, people and incidents, for trying the product.

Every name, address and phone number here is invented. Emails use example.org, a
domain reserved for examples.
"""

import random
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from actions import demo as actions_demo
from audit.log import record
from incidents.models import Incident, report_incident
from organisations.models import Contact, Membership, Organisation, Role, RoleTitle

DEMO_PASSWORD = "demo-incident-desk"

# (key, name, kind, parent key)
ORGANISATIONS = [
    ("county", "Northmoor County DPO Service", Organisation.Kind.DPO_SERVICE, None),
    ("trust", "Fernbrook Learning Trust", Organisation.Kind.TRUST, "county"),
    ("brookside", "Brookside Primary School", Organisation.Kind.SCHOOL, "trust"),
    ("hillcrest", "Hillcrest Academy", Organisation.Kind.SCHOOL, "trust"),
    ("riverside", "Riverside Community School", Organisation.Kind.SCHOOL, "county"),
    ("council", "Northmoor Council Children's Services", Organisation.Kind.DEPARTMENT, "county"),
]

# (email, full name, [(organisation key, role)])
PEOPLE = [
    ("dpo@example.org", "Priya Okafor", [("county", Role.DPO)]),
    ("admin@example.org", "Gareth Lindqvist", [("county", Role.ADMIN)]),
    ("trust.siro@example.org", "Helen Marchetti", [("trust", Role.SIRO), ("trust", Role.GOVERNANCE)]),
    ("head@brookside.example.org", "Daniel Ashworth", [("brookside", Role.SIRO)]),
    ("sbm@brookside.example.org", "Mina Kowalczyk", [("brookside", Role.INCIDENT_MANAGER), ("brookside", Role.ADMIN)]),
    ("investigator@brookside.example.org", "Tom Beaumont", [("brookside", Role.INVESTIGATOR)]),
    ("teacher@brookside.example.org", "Aisha Pemberton", [("brookside", Role.REPORTER)]),
    ("governor@brookside.example.org", "Robert Fairclough", [("brookside", Role.GOVERNANCE)]),
    ("champion@hillcrest.example.org", "Lucy Adeyemi", [("hillcrest", Role.INCIDENT_MANAGER)]),
    ("teacher@hillcrest.example.org", "Owen Castellano", [("hillcrest", Role.REPORTER)]),
    (
        "sbm@riverside.example.org",
        "Sarah Thistlewood",
        [("riverside", Role.INCIDENT_MANAGER), ("riverside", Role.SIRO)],
    ),
    ("teacher@riverside.example.org", "Jamal Whitcombe", [("riverside", Role.REPORTER)]),
    ("servicedesk@council.example.org", "Niamh Rourke", [("council", Role.INCIDENT_MANAGER)]),
    ("officer@council.example.org", "Ben Hollingsworth", [("council", Role.REPORTER)]),
]

TITLES = [
    ("brookside", Role.INCIDENT_MANAGER, "School Business Manager"),
    ("brookside", Role.SIRO, "Headteacher"),
    ("hillcrest", Role.INCIDENT_MANAGER, "Information Champion"),
    ("riverside", Role.INCIDENT_MANAGER, "School Business Manager"),
    ("council", Role.INCIDENT_MANAGER, "IT Service Desk"),
    ("council", Role.INVESTIGATOR, "Senior Information Management Officer"),
]

CONTACTS = [
    ("county", Contact.Kind.DPO, "Priya Okafor", "dpo@example.org", "01632 960001"),
    ("brookside", Contact.Kind.HEADTEACHER, "Daniel Ashworth", "head@brookside.example.org", "01632 960112"),
    (
        "council",
        Contact.Kind.SERVICE_DESK,
        "Children's Services IT desk",
        "servicedesk@council.example.org",
        "01632 960200",
    ),
    ("council", Contact.Kind.INTERNAL_AUDIT, "Internal audit team", "audit@council.example.org", ""),
]

# Report texts: fictional, typical of what schools and councils see.
REPORTS: list[dict[str, Any]] = [
    {
        "description": "I emailed the Year 4 class list with parents' phone numbers to one parent instead of the class teacher.",
        "personal_data": "yes",
        "information_involved": "Class list spreadsheet",
        "data_subjects": "Pupils and parents",
        "people_affected": 28,
    },
    {
        "description": "A staff laptop was left on the train this morning. It is password protected but I am not sure it is encrypted.",
        "personal_data": "not_sure",
        "information_involved": "School laptop",
        "location": "Train to Northmoor",
    },
    {
        "description": "Received an email that looked like it came from the headteacher asking me to buy gift cards. I did not reply.",
        "personal_data": "no",
        "symptoms": "Sender address was not our school domain.",
    },
    {
        "description": "Found a printout of SEN support plans in the staffroom photocopier tray.",
        "personal_data": "yes",
        "location": "Staffroom",
        "data_subjects": "Pupils",
        "people_affected": 6,
    },
    {
        "description": "The school office PC shows a message saying our files are encrypted and asks for payment.",
        "personal_data": "not_sure",
        "service_affected": "yes",
        "service_name": "Office file share",
        "symptoms": "Red screen, files renamed with .lock",
    },
    {
        "description": "A parent received another child's school report in their book bag.",
        "personal_data": "yes",
        "data_subjects": "Pupil",
        "people_affected": 1,
    },
    {
        "description": "Passwords for the MIS were written on a sticky note on the reception monitor.",
        "personal_data": "no",
        "location": "Reception",
    },
    {
        "description": "Confidential waste bags were left outside by the bins instead of in the locked store.",
        "personal_data": "yes",
        "location": "Car park",
    },
    {
        "description": "A memory stick with photos from the school trip has gone missing.",
        "personal_data": "yes",
        "information_involved": "USB memory stick",
        "data_subjects": "Pupils",
    },
    {
        "description": "I received an email meant for another school with a staff sickness record attached.",
        "personal_data": "yes",
        "data_subjects": "Staff member of another organisation",
        "people_affected": 1,
    },
    {
        "description": "The visitor sign-in tablet was unlocked and showing the full visitor list.",
        "personal_data": "yes",
        "location": "Main entrance",
    },
    {
        "description": "A supply teacher used their personal cloud storage to save lesson plans with pupil names.",
        "personal_data": "yes",
        "data_subjects": "Pupils",
    },
    {
        "description": "Someone tried the office door code several times after hours; the alarm log shows it.",
        "personal_data": "no",
        "location": "Office block",
    },
    {
        "description": "The online payments system was unavailable all morning; parents could not pay for lunches.",
        "personal_data": "no",
        "service_affected": "yes",
        "service_name": "Online payments",
    },
]

STATES = [
    Incident.Status.REPORTED,
    Incident.Status.REPORTED,
    Incident.Status.TRIAGED,
    Incident.Status.INVESTIGATING,
    Incident.Status.INVESTIGATING,
    Incident.Status.OUTCOME_SUBMITTED,
    Incident.Status.CLOSED,
    Incident.Status.CLOSED,
    Incident.Status.CLOSED_NOT_INCIDENT,
]


def is_empty() -> bool:
    return not Organisation.objects.exists()


@transaction.atomic
def load(incident_count: int = 40, seed: int = 2026) -> dict[str, Any]:
    rng = random.Random(seed)
    User = get_user_model()
    orgs: dict[str, Organisation] = {}
    for key, name, kind, parent in ORGANISATIONS:
        orgs[key] = Organisation.objects.create(name=name, kind=kind, parent=orgs[parent] if parent else None)
    users: dict[str, Any] = {}
    for email, full_name, roles in PEOPLE:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
        # Verified, so demo people can turn on two-step verification straight away.
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        users[email] = user
        for org_key, role in roles:
            Membership.objects.create(user=user, organisation=orgs[org_key], role=role)
    for org_key, role, title in TITLES:
        RoleTitle.objects.create(organisation=orgs[org_key], role=role, title=title)
    for org_key, contact_kind, name, email, phone in CONTACTS:
        Contact.objects.create(organisation=orgs[org_key], kind=contact_kind, name=name, email=email, phone=phone)

    reporters = {
        "brookside": users["teacher@brookside.example.org"],
        "hillcrest": users["teacher@hillcrest.example.org"],
        "riverside": users["teacher@riverside.example.org"],
        "council": users["officer@council.example.org"],
    }
    now = timezone.now()
    plan = []
    for i in range(incident_count):
        org_key = list(reporters)[i % len(reporters)]
        reported_on = now - timedelta(days=rng.randint(0, 360), hours=rng.randint(0, 10), minutes=rng.randint(0, 59))
        plan.append((reported_on, org_key, REPORTS[i % len(REPORTS)], STATES[i % len(STATES)]))
    plan.sort(key=lambda item: item[0])
    for reported_on, org_key, fields, state in plan:
        occurred = reported_on - timedelta(hours=rng.randint(1, 30))
        incident, _ = report_incident(
            organisation=orgs[org_key],
            reported_by=reporters[org_key],
            submission_key=None,
            fields=dict(fields, occurred_on=occurred, discovered_on=occurred + timedelta(minutes=rng.randint(5, 120))),
            reported_on=reported_on,
        )
        if state != Incident.Status.REPORTED:
            Incident.objects.filter(pk=incident.pk).update(status=state)
            record(
                organisation_id=incident.organisation_id,
                action="incident.status_changed",
                record=incident,
                before={"status": Incident.Status.REPORTED},
                after={"status": state},
                reason="Set by the demo data loader",
                at=reported_on + timedelta(hours=2),
            )
    actions_demo.load(orgs, users)  # remedial actions (some overdue, some done) and evidence files
    return {"organisations": orgs, "users": users}


def logins() -> list[tuple[str, str, str]]:
    """(email, name, what they hold) for the demo people, to print."""
    rows = []
    for email, full_name, roles in PEOPLE:
        held = ", ".join(
            f"{Role(role).label} at {dict((k, n) for k, n, _, _ in ORGANISATIONS)[org]}" for org, role in roles
        )
        rows.append((email, full_name, held))
    return rows
