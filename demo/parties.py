"""Demo suppliers and processors, other bodies told, and a parent's named report (fictional).

A made-up MIS supplier on the trust's register serves its schools and is linked to one
Brookside incident; a ransomware incident at Brookside shows its checklist of bodies part
done; Riverside handles the county music hub's data for it (another controller); a parent
gives their name on Hillcrest's public page. Every name, address and reference is invented.
"""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from anonymous.services import submit_named_public_report
from incidents import lifecycle
from incidents.models import IncidentType, report_incident
from organisations.models import Organisation
from parties import services
from parties.models import ThirdParty

MIS_SUPPLIER = "Scholaris Pupil Information Ltd"
RANSOMWARE = "The office PC and the shared drive show a ransom note: every file is renamed and encrypted."


def _party(organisation: Organisation, by: Any, name: str, kind: str, **extra: Any) -> ThirdParty:
    return services.save_party(organisation=organisation, by=by, party=ThirdParty(name=name, kind=kind, **extra))


def load(organisations: dict[str, Organisation], users: dict[str, Any]) -> dict[str, Any]:
    admin = users["admin@example.org"]
    manager = users["sbm@brookside.example.org"]
    investigator = users["investigator@brookside.example.org"]
    now = timezone.now()
    with transaction.atomic():
        mis = _party(
            organisations["trust"],
            admin,
            MIS_SUPPLIER,
            ThirdParty.Kind.PROCESSOR,
            contact="Service desk, support@scholaris.example.com, 01632 960450",
            contract_reference="FLT-DPA-2025-07",
            notes="Hosts the trust's management information system (pupil records, attendance, SEN).",
        )
        _party(
            organisations["county"],
            admin,
            "Northmoor Schools IT Partnership",
            ThirdParty.Kind.SUPPLIER,
            contact="0300 555 0172 (24 hours)",
            contract_reference="NSIT-2024-SLA",
        )
        music_hub = _party(
            organisations["riverside"],
            admin,
            "Northmoor Music Hub",
            ThirdParty.Kind.CONTROLLER,
            contact="data@musichub.example.org",
            contract_reference="Data sharing agreement MH-2026-03",
            tell_within_hours=24,
        )
        # The MIS supplier told Brookside of an incident on its side.
        brookside = organisations["brookside"]
        supplier_incident, _ = report_incident(
            organisation=brookside,
            reported_by=manager,
            submission_key=None,
            fields={
                "description": "Scholaris rang: for an hour this morning parents could see other families' "
                "contact details in the parent app.",
                "personal_data": "yes",
                "data_subjects": "Parents and carers",
            },
            reported_on=now - timedelta(hours=5),
        )
        lifecycle.triage(
            supplier_incident,
            by=manager,
            severity="moderate",
            nature="incident",
            breach_status="confirmed",
            personal_data_breach="yes",
            breach_types=["confidentiality"],
            incident_type=IncidentType.objects.get(organisation=None, name="Unauthorised access"),
            aware_on=now - timedelta(hours=5),
            investigator=investigator,
        )
        services.set_third_party(
            supplier_incident,
            by=manager,
            third_party=mis,
            processor_told_us_on=now - timedelta(hours=5, minutes=10),
            controller_told_on=None,
            notes="Their incident number SCH-INC-88213; they switched the app's directory off at 09:40.",
        )
        # Ransomware: the checklist of bodies, part done.
        ransomware, _ = report_incident(
            organisation=brookside,
            reported_by=manager,
            submission_key=None,
            fields={
                "description": RANSOMWARE,
                "personal_data": "not_sure",
                "service_affected": "yes",
                "service_name": "Office file share",
                "symptoms": "Red screen; files end in .lock; a note asks for payment in bitcoin.",
                "discovered_on": now - timedelta(hours=20),
            },
            reported_on=now - timedelta(hours=19),
        )
        lifecycle.triage(
            ransomware,
            by=manager,
            severity="major",
            nature="incident",
            breach_status="potential",
            personal_data_breach="not_known",
            breach_types=["availability"],
            incident_type=IncidentType.objects.get(organisation=None, name="Malware"),
            investigator=investigator,
        )
        services.record_notice(
            ransomware,
            by=manager,
            body="police",
            outcome="told",
            told_on=now - timedelta(hours=17),
            reference="NFRC261204000123",
            made_by="Mina Kowalczyk, by phone to Action Fraud",
        )
        services.record_notice(
            ransomware,
            by=manager,
            body="it",
            outcome="told",
            told_on=now - timedelta(hours=18, minutes=30),
            reference="NSIT call 552190",
            made_by="Mina Kowalczyk",
        )
        # The RPA's 24 hours have 5 left; the NCSC and the DfE are not yet told.
        # Riverside, processing for the music hub, has not yet told it of a lost register.
        riverside_incident, _ = report_incident(
            organisation=organisations["riverside"],
            reported_by=users["teacher@riverside.example.org"],
            submission_key=None,
            fields={
                "description": "The music hub's lesson register for Year 5 was left on the bus.",
                "personal_data": "yes",
                "data_subjects": "Pupils having music lessons",
            },
            reported_on=now - timedelta(hours=30),
        )
        services.set_third_party(
            riverside_incident,
            by=users["sbm@riverside.example.org"],
            third_party=music_hub,
            processor_told_us_on=None,
            controller_told_on=None,
        )
    incident, _ = submit_named_public_report(
        organisation=organisations["hillcrest"],
        submission_key=None,
        fields={
            "description": "My son's login card for the school laptops was handed to another pupil by mistake.",
            "personal_data": "yes",
        },
        reporter={"name": "Joanna Fairweather", "email": "joanna.fairweather@example.net", "relationship": "parent"},
    )
    return {"supplier_incident": supplier_incident, "ransomware": ransomware, "external": incident}
