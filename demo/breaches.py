"""Demo personal data breaches: a running 72-hour clock, an overdue one, a completed ICO report, a record-only case.

Call `load_breach_demo()` after `demo.load.load()`: it finds the demo organisations
and people by their (fictional) names and emails and goes through the same model methods
as the pages, so every step is on the record. Every person, school and reference is invented.
"""

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from breaches.engine import Facts
from breaches.models import Assessment, Decision, IcoSubmission, IndividualsNotice, ReportDetails
from incidents.models import Incident, report_incident
from organisations.models import Organisation

DPO = "dpo@example.org"


def _incident(
    organisation: Organisation,
    reporter: Any,
    *,
    aware_on: datetime,
    severity: str,
    breach_types: list[str],
    fields: dict[str, Any],
) -> Incident:
    reported_on = aware_on - timedelta(minutes=40)
    incident, _ = report_incident(
        organisation=organisation,
        reported_by=reporter,
        submission_key=None,
        fields=fields
        | {
            "personal_data": "yes",
            "occurred_on": reported_on - timedelta(hours=3),
            "discovered_on": reported_on - timedelta(hours=1),
        },
        reported_on=reported_on,
    )
    # Through the real lifecycle steps, as the organisation's incident manager; then the
    # triage time is moved back to the awareness time so the clocks look as they would.
    from incidents import lifecycle
    from organisations.models import Role

    manager = organisation.holders(Role.INCIDENT_MANAGER)[0]
    critical = severity == Incident.Severity.CRITICAL
    lifecycle.triage(
        incident,
        by=manager,
        severity=severity,
        nature=Incident.Nature.INCIDENT,
        breach_status=Incident.BreachStatus.CONFIRMED,
        personal_data_breach=Incident.PersonalDataBreach.YES,
        breach_types=breach_types,
        aware_on=aware_on,
        investigator=None if critical else manager,
    )
    if critical:  # the SIRO undertakes a critical investigation personally
        siro = organisation.holders(Role.SIRO)[0]
        lifecycle.assign_investigator(incident, by=siro, investigator=siro)
    lifecycle.start_investigation(incident, by=manager)
    Incident.objects.filter(pk=incident.pk).update(triaged_on=aware_on)
    incident.refresh_from_db()
    return incident


@transaction.atomic
def load_breach_demo(now: datetime | None = None) -> list[Incident]:
    """Four demo breaches across the demo schools; returns them (running, overdue, reported, record only)."""
    now = now or timezone.now()
    users = {u.email: u for u in get_user_model().objects.filter(email__endswith="example.org")}
    orgs = {o.name: o for o in Organisation.objects.all()}
    dpo = users[DPO]
    made = []

    # 1. Brookside: a running clock (about 52 hours left), assessed, decided "report", not yet reported.
    aware = now - timedelta(hours=20)
    brookside = _incident(
        orgs["Brookside Primary School"],
        users["teacher@brookside.example.org"],
        aware_on=aware,
        severity=Incident.Severity.MAJOR,
        breach_types=["confidentiality"],
        fields={
            "description": "I emailed the Year 6 class list, with each pupil's SEN support notes, to a parent "
            "instead of the SENCo. The parent has not replied to our request to delete it.",
            "information_involved": "Class list spreadsheet with SEN notes",
            "data_subjects": "Pupils",
            "people_affected": 29,
            "records_affected": 29,
        },
    )
    facts = Facts.from_dict(
        {
            "data_categories": ["basic_identifiers", "sen"],
            "data_subjects": ["pupils"],
            "children_involved": True,
            "people_count": 29,
            "records_count": 29,
            "recipient": "known_individual",
            "contained": True,
            "consequences": ["distress"],
            "consequences_notes": "Families may be upset that another parent has seen their child's needs.",
        }
    )
    sbm = users["sbm@brookside.example.org"]
    assessment = Assessment.record_assessment(incident=brookside, facts=facts, by=sbm, at=aware + timedelta(hours=2))
    Decision.decide(assessment=assessment, by=dpo, agrees=True, at=aware + timedelta(hours=4))
    made.append(brookside)

    # 2. Riverside: a safeguarding file left on a bus, 80 hours ago, assessed but not reported: overdue.
    aware = now - timedelta(hours=80)
    riverside_sbm = users["sbm@riverside.example.org"]
    bus = _incident(
        orgs["Riverside Community School"],
        users["teacher@riverside.example.org"],
        aware_on=aware,
        severity=Incident.Severity.CRITICAL,
        breach_types=["confidentiality"],
        fields={
            "description": "A child protection file was left on the number 7 bus after a case conference.",
            "information_involved": "Paper safeguarding file",
            "location": "Number 7 bus",
            "people_affected": 2,
        },
    )
    Assessment.record_assessment(
        incident=bus,
        facts=Facts.from_dict(
            {
                "data_categories": ["basic_identifiers", "safeguarding", "health"],
                "data_subjects": ["pupils", "parents_carers"],
                "children_involved": True,
                "people_count": 2,
                "recipient": "unknown_or_public",
                "consequences": ["physical_harm", "distress"],
            }
        ),
        by=riverside_sbm,
        at=aware + timedelta(hours=1),
    )
    made.append(bus)

    # 3. Hillcrest: a phishing compromise, reported to the ICO in two phases, families told.
    aware = now - timedelta(days=12)
    champion = users["champion@hillcrest.example.org"]
    phishing = _incident(
        orgs["Hillcrest Academy"],
        users["teacher@hillcrest.example.org"],
        aware_on=aware,
        severity=Incident.Severity.CRITICAL,
        breach_types=["confidentiality"],
        fields={
            "description": "A teacher entered their password on a fake login page. The attacker read the mailbox "
            "for two hours, including parents' emails about their children's health.",
            "information_involved": "Staff mailbox",
            "people_affected": 140,
            "records_affected": 600,
        },
    )
    ReportDetails.objects.create(
        incident=phishing,
        cyber_incident=True,
        how_discovered="The teacher noticed forwarding rules they had not set and called the IT service desk.",
        systems_effect="One staff mailbox was read; no other system was reached.",
        recovery_time="Password reset and rules removed within 3 hours.",
        staff_involved="One teacher, who completed data protection and phishing training last year.",
        measures_before="Staff training; spam filtering; no two-step verification on staff email.",
        containment="Password reset, sessions signed out, forwarding rules removed, audit log reviewed.",
        recurrence_steps="Two-step verification turned on for every staff account; phishing refresher for all staff.",
        other_bodies_told="Reported to Action Fraud; the NCSC's early warning service was consulted.",
        ico_registration_number="ZA000000",
        advice_to_individuals="Be wary of emails or calls that mention your child and ask for details or payment.\n"
        "Contact the school office if you are unsure whether a message is really from us.",
        updated_by=champion,
    )
    facts = Facts.from_dict(
        {
            "data_categories": ["basic_identifiers", "contact_details", "health"],
            "data_subjects": ["pupils", "parents_carers", "staff"],
            "children_involved": True,
            "people_count": 140,
            "records_count": 600,
            "recipient": "malicious_actor",
            "malicious": True,
            "exfiltration": "suspected",
            "contained": True,
            "consequences": ["distress", "identity_fraud"],
        }
    )
    assessment = Assessment.record_assessment(incident=phishing, facts=facts, by=dpo, at=aware + timedelta(hours=3))
    Decision.decide(assessment=assessment, by=dpo, agrees=True, at=aware + timedelta(hours=5))
    IcoSubmission.record_submission(
        incident=phishing,
        by=dpo,
        submitted_on=aware + timedelta(hours=30),
        ico_reference="IC-000000-DEMO1",
        at=aware + timedelta(hours=30),
    )
    IcoSubmission.record_submission(
        incident=phishing,
        by=dpo,
        submitted_on=aware + timedelta(days=6),
        ico_response="The ICO acknowledged the follow-up and closed the case with advice on two-step verification.",
        at=aware + timedelta(days=6),
    )
    IndividualsNotice.record_notice(
        incident=phishing,
        by=champion,
        told_on=aware + timedelta(days=1),
        method=IndividualsNotice.Method.EMAIL,
        audience=IndividualsNotice.Audience.PARENTS,
        how_many=140,
        at=aware + timedelta(days=1),
    )
    made.append(phishing)

    # 4. Council: an encrypted laptop stolen, key safe, backed up: record only.
    aware = now - timedelta(days=30)
    laptop = _incident(
        orgs["Northmoor Council Children's Services"],
        users["officer@council.example.org"],
        aware_on=aware,
        severity=Incident.Severity.MINOR,
        breach_types=["confidentiality", "availability"],
        fields={
            "description": "My work laptop was stolen from my car. It has full-disk encryption and I keep the "
            "recovery key separately; my files are on the network drive.",
            "information_involved": "Encrypted laptop",
        },
    )
    assessment = Assessment.record_assessment(
        incident=laptop,
        facts=Facts.from_dict(
            {
                "data_categories": ["basic_identifiers", "safeguarding"],
                "data_subjects": ["pupils", "parents_carers"],
                "children_involved": True,
                "people_count": 60,
                "breach_types": ["confidentiality", "availability"],
                "recipient": "malicious_actor",
                "encrypted_key_safe": True,
                "malicious": True,
                "contained": True,
                "backup_available": True,
                "restoration_hours": 2,
            }
        ),
        by=users["servicedesk@council.example.org"],
        at=aware + timedelta(hours=2),
    )
    Decision.decide(assessment=assessment, by=dpo, agrees=True, at=aware + timedelta(hours=3))
    made.append(laptop)
    return made
