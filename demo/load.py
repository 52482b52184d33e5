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

from deadlines import store as deadline_store
from demo import actions as actions_demo
from demo import anonymous as anonymous_demo
from demo import deadlines as deadlines_demo
from demo import inbound as inbound_demo
from demo import learning as learning_demo
from demo import parties as parties_demo
from demo import restriction as restriction_demo
from demo import retention as retention_demo
from demo import waves as waves_demo
from demo.breaches import load_breach_demo
from demo.insights import load as load_reports_demo
from demo.policies import load as load_policies_demo
from demo.policy_exceptions import load as load_policy_exceptions_demo
from demo.signin import give_authenticators
from incidents.models import Incident, OutcomeReview, report_incident
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
    give_authenticators(list(users.values()))  # handlers' demo authenticator apps (demo/signin.py)
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
    _closed_major_done.clear()
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
            advance(incident, state, org_key, users, rng, reported_on)
    actions_demo.load(orgs, users)  # remedial actions (some overdue, some done) and evidence files
    anonymous_demo.load(orgs, users)  # public report pages, an anonymous and a confidential report
    inbound_demo.load(orgs, users)  # Brookside's intake address and a parent's report by email
    deadlines_demo.load(orgs, users)  # incidents past their timescales
    parties_demo.load(orgs, users)  # suppliers and processors, a ransomware checklist, a parent's named report
    waves_demo.load(orgs, users)  # a phishing wave of twelve reports at Brookside, and a tag for it
    load_reports_demo(orgs, users)
    restriction_demo.load(orgs, users)  # Brookside's manager implicated: restricted, outside help invited
    # The county's policy from the template, Riverside's own; most staff have read theirs.
    policies = load_policies_demo(orgs, users)
    load_policy_exceptions_demo(orgs, users)  # an exception in force, one ending soon, a suggested change
    # Four personal data breaches: clock running, overdue, reported in phases, record only.
    breaches = load_breach_demo()
    learning_demo.load(orgs, users)  # known errors raised from incidents, and training records
    retention_demo.load(orgs, users)  # old incidents on this month's disposal list, one under legal hold
    # The demo moves milestone times back after the steps ran (so ages and clocks look real):
    # store every deadline again from those times, as if the steps had run then.
    deadline_store.refresh_all()
    return {"organisations": orgs, "users": users, "breaches": breaches, "policies": policies}


def logins() -> list[tuple[str, str, str]]:
    """(email, name, what they hold) for the demo people, to print."""
    rows = []
    for email, full_name, roles in PEOPLE:
        held = ", ".join(
            f"{Role(role).label} at {dict((k, n) for k, n, _, _ in ORGANISATIONS)[org]}" for org, role in roles
        )
        rows.append((email, full_name, held))
    return rows


# ── The lifecycle: every demo incident reaches its state through the real steps ──────────

# Who handles incidents where: (incident manager, SIRO or None, investigator). An
# organisation without an investigating officer has its incident manager investigate.
HANDLERS = {
    "brookside": ("sbm@brookside.example.org", "head@brookside.example.org", "investigator@brookside.example.org"),
    "hillcrest": ("champion@hillcrest.example.org", "trust.siro@example.org", "champion@hillcrest.example.org"),
    "riverside": ("sbm@riverside.example.org", "sbm@riverside.example.org", "sbm@riverside.example.org"),
    "council": ("servicedesk@council.example.org", None, "servicedesk@council.example.org"),
}
DEMO_DPO = "dpo@example.org"
SEVERITY_CYCLE = ["minor", "moderate", "major", "minor", "critical", "moderate"]
TYPE_BY_WORD = [
    ("emailed", "Email or post to the wrong person"),
    ("laptop", "Lost or stolen device"),
    ("memory stick", "Lost or stolen device"),
    ("gift cards", "Phishing"),
    ("encrypted", "Malware"),
    ("Passwords", "Credentials shared or written down"),
    ("waste", "Poor disposal"),
    ("received an email meant", "Receiving data meant for someone else"),
    ("cloud", "Data placed on an unapproved or non-UK service"),
    ("door code", "Physical security breach"),
    ("unavailable", "System malfunction"),
    ("printout", "Paper records lost"),
    ("report in their book bag", "Email or post to the wrong person"),
]
_closed_major_done: dict[str, bool] = {}


def _incident_type(description: str) -> Any:
    from incidents.models import IncidentType

    name = next((t for word, t in TYPE_BY_WORD if word.lower() in description.lower()), "Other")
    return IncidentType.objects.get(organisation=None, name=name)


def advance(incident: Incident, target: str, org_key: str, users: dict[str, Any], rng: random.Random, at: Any) -> None:
    """Take a demo incident to `target` through the real lifecycle steps, as the right people."""
    from actions.models import RemedialAction
    from incidents import lifecycle

    manager_email, siro_email, investigator_email = HANDLERS[org_key]
    manager, investigator = users[manager_email], users[investigator_email]
    siro = users[siro_email] if siro_email else None
    dpo = users[DEMO_DPO]
    S = Incident.Status
    if target == S.CLOSED_NOT_INCIDENT:
        lifecycle.close_not_incident(
            incident, by=manager, reason="Checked: no information was put at risk. A false alarm, thanks for reporting."
        )
        _stamp(incident, at)
        return
    severity = SEVERITY_CYCLE[incident.pk % len(SEVERITY_CYCLE)]
    if target == S.CLOSED and not _closed_major_done.get("yes"):
        severity = "major"  # the demo always has a closed major incident with its outcome report
        _closed_major_done["yes"] = True
    if severity == "critical" and siro is None:
        severity = "major"
    personal = incident.personal_data == "yes"
    classification = {
        "severity": severity,
        "nature": "incident",
        "breach_status": "confirmed" if personal else "potential",
        "personal_data_breach": "yes" if personal else "no",
        "breach_types": ["confidentiality"] if personal else ["availability"],
        "incident_type": _incident_type(incident.description),
        "aware_on": at + timedelta(hours=1) if personal else None,
    }
    if severity == "critical":
        assert siro is not None
        lifecycle.triage(incident, by=siro, investigator=siro, **classification)
    else:
        lifecycle.triage(incident, by=manager, investigator=investigator, **classification)
    if target == S.TRIAGED:
        _stamp(incident, at)
        return
    worker: Any = incident.investigator
    lifecycle.start_investigation(incident, by=worker)
    items = list(incident.checklist.all())
    lifecycle.add_note(incident, by=worker, body="Spoke to the member of staff who reported it; notes on file.")
    if target == S.INVESTIGATING:
        for item in items[: rng.randint(1, 4)]:
            if not item.is_disciplinary:
                lifecycle.update_checklist_item(item, by=worker, state="done", note="Done and recorded.")
        _stamp(incident, at)
        return
    for item in items:
        if item.is_disciplinary:
            lifecycle.update_checklist_item(
                item,
                by=manager,
                state="done",
                disciplinary_decision="not_commenced",
                note="An honest mistake, reported promptly: refresher training instead of disciplinary action.",
            )
        elif "outcome report" in item.text.lower() or rng.random() < 0.5:
            lifecycle.update_checklist_item(item, by=worker, state="done", note="Done; see the outcome report.")
        else:
            lifecycle.update_checklist_item(
                item, by=worker, state="not_applicable", not_applicable_reason="Not needed for this incident."
            )
    lifecycle.save_outcome_draft(
        incident,
        by=worker,
        sections={
            "summary": "What was reported was confirmed, contained the same day and the people affected were considered.",
            "root_cause": "A manual step was missed under time pressure; nothing in the system prevented it.",
            "data_and_people_affected": "As in the report; no special category data was found.",
            "containment_and_recovery": "The information was recovered or deleted, and deletion was confirmed in writing.",
            "notification_decisions": "The DPO advised; the decision on telling the ICO and the individuals is recorded on the incident.",
            "lessons_learned": "Check before sending or printing; ask when unsure.",
            "recommendations": "Refresher training this term; change the default settings that allowed it.",
        },
    )
    RemedialAction.objects.create(
        organisation=incident.organisation,
        incident=incident,
        title="Refresher training on handling personal data",
        owner=manager,
        due_on=(at + timedelta(days=30)).date(),
        source=RemedialAction.Source.OUTCOME_REPORT,
    )
    lifecycle.submit_outcome(incident, by=worker)
    if target == S.OUTCOME_SUBMITTED:
        _stamp(incident, at)
        return
    lifecycle.review_outcome(incident, by=manager, accept=True, comments="Thorough; accepted.")
    if OutcomeReview.ReviewerRole.DPO in lifecycle.required_review_roles(incident):  # major and critical
        lifecycle.review_outcome(incident, by=dpo, accept=True, comments="Reviewed by the DPO; accepted.")
    if personal:
        decide_breach(incident, dpo, serious=severity in Incident.SERIOUS_SEVERITIES)
    lifecycle.close(incident, by=manager)
    _stamp(incident, at)


# What the demo's closed breaches were found to be: contained at once with deletion confirmed
# (record only), or special educational needs notes seen by a parent (report to the ICO).
CONTAINED_FACTS = {
    "data_categories": ["basic_identifiers"],
    "data_subjects": ["pupils"],
    "children_involved": True,
    "people_count": 1,
    "recipient": "trusted_party_deleted",
    "recovered_or_deleted": True,
    "contained": True,
}
SEEN_BY_A_PARENT_FACTS = {
    "data_categories": ["basic_identifiers", "sen"],
    "data_subjects": ["pupils"],
    "children_involved": True,
    "people_count": 29,
    "recipient": "known_individual",
    "contained": True,
    "consequences": ["distress"],
}


def decide_breach(incident: Incident, dpo: Any, *, serious: bool) -> None:
    """Assess a demo personal data breach on its breach record and record the DPO's decision on it."""
    from breaches.engine import Facts
    from breaches.models import Assessment, Decision

    facts = Facts.from_dict(SEEN_BY_A_PARENT_FACTS if serious else CONTAINED_FACTS)
    assessment = Assessment.record_assessment(incident=incident, facts=facts, by=dpo)
    Decision.decide(
        assessment=assessment,
        by=dpo,
        agrees=True,
        reason="Assessed with the SIRO against the ICO's guidance on the risk to individuals.",
    )


def _stamp(incident: Incident, reported_on: Any) -> None:
    """Spread the milestones of an old demo incident over the days after its report.

    The steps stamp the time they run; the record's events keep that time (they are never
    rewritten), only the incident's milestone fields are moved so lists and ages look real.
    """
    fields: dict[str, Any] = {}
    if incident.triaged_on:
        fields["triaged_on"] = reported_on + timedelta(hours=3)
    if incident.outcome_submitted_on:
        fields["outcome_submitted_on"] = reported_on + timedelta(days=6)
    if incident.closed_on:
        fields["closed_on"] = reported_on + timedelta(days=9 if incident.triaged_on else 1)
    if fields:
        Incident.objects.filter(pk=incident.pk).update(**fields)
