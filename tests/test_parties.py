"""Third parties and processors, other bodies told, and named reporters from outside (issue 16).

A named reporter from outside is stored on the incident's own reporter fields (the one home
shared with reports taken down for someone and reports by email), not in a model of its own.
"""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from anonymous.services import page_for
from audit.models import Event
from core.exceptions import StepRefused
from deadlines import overdue
from deadlines.models import Deadline, Escalation
from deadlines.scan import scan
from incidents import lifecycle
from incidents.models import Incident, IncidentType
from incidents.registry import extra_sections
from notifications.models import Outbox
from organisations.models import Membership, Role
from parties import services
from parties.models import BodyNotice, BodyRule, IncidentParty, ThirdParty
from parties.rules import bodies_for
from webhooks.events import types_of

from .conftest import People
from .factories import UserFactory, incident_described, reported_incident
from .test_anonymous_reporting import receipt_in, send_report


def malware() -> IncidentType:
    return IncidentType.objects.get(organisation=None, name="Malware")


def triaged(people: People, incident_type: IncidentType | None = None, pdb: str = "no", **extra: Any) -> Incident:
    incident = reported_incident(people.cast.school_a, people.cast.bob, **extra)
    lifecycle.triage(
        incident,
        by=people.cast.alice,
        severity="major",
        nature="incident",
        breach_status="potential",
        personal_data_breach=pdb,
        aware_on=incident.reported_on if pdb == "yes" else None,
        incident_type=incident_type or malware(),
    )
    incident.refresh_from_db()
    return incident


def party(organisation: Any, name: str = "Scholaris MIS", kind: str = "processor", **extra: Any) -> ThirdParty:
    return services.save_party(organisation=organisation, by=None, party=ThirdParty(name=name, kind=kind, **extra))


def kinds(incident: Incident) -> dict[str, Deadline]:
    return {d.kind: d for d in Deadline.objects.filter(incident=incident, action__isnull=True)}


def test_the_register_is_managed_on_the_settings_page_and_serves_the_organisations_beneath(
    client, people: People
) -> None:
    county_admin = UserFactory(email="county-admin@example.org")
    Membership.objects.create(user=county_admin, organisation=people.cast.county, role=Role.ADMIN)
    client.force_login(county_admin)
    settings_page = client.get(reverse("organisations:settings", args=[people.cast.county.uuid])).content.decode()
    assert "Suppliers and processors" in settings_page and "Other bodies told" in settings_page
    response = client.post(
        reverse("parties:add", args=[people.cast.county.uuid]),
        {"name": "Scholaris MIS", "kind": "processor", "contract_reference": "DPA-2026-14", "tell_within_hours": 24},
    )
    assert response.status_code == 302
    entry = ThirdParty.objects.get(name="Scholaris MIS")
    assert entry.organisation == people.cast.county and entry.contract_reference == "DPA-2026-14"
    assert Event.objects.filter(action="third_party.added", actor=county_admin).count() == 1
    # The same name twice on one register is refused in words.
    again = client.post(
        reverse("parties:add", args=[people.cast.county.uuid]),
        {"name": "Scholaris MIS", "kind": "supplier", "tell_within_hours": 24},
    )
    assert "There is already an entry with this name" in again.content.decode()

    client.force_login(people.admin)  # school A's admin sees the county's entry, inherited, not changeable
    page = client.get(reverse("parties:register", args=[people.cast.school_a.uuid])).content.decode()
    assert "Scholaris MIS" in page and "From the organisations above" in page
    assert client.get(reverse("parties:edit", args=[people.cast.school_a.uuid, entry.pk])).status_code == 404
    # School A's incidents may name it; an entry of school B's register may not be named by school A.
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    services.set_third_party(
        incident, by=people.cast.alice, third_party=entry, processor_told_us_on=None, controller_told_on=None
    )
    elsewhere = party(people.cast.school_b, "Birchwood catering")
    with pytest.raises(StepRefused):
        services.set_third_party(
            incident, by=people.cast.alice, third_party=elsewhere, processor_told_us_on=None, controller_told_on=None
        )


def test_a_processor_telling_us_is_recorded_on_the_incident_and_its_case_file(client, people: People) -> None:
    supplier = party(people.cast.school_a, contact="Support desk, 0300 000 0000")
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    client.force_login(people.cast.alice)
    response = client.post(
        reverse("parties:incident_party", args=[incident.uuid]),
        {"third_party": supplier.pk, "processor_told_us_on": "2026-12-01T09:30", "notes": "Rang the office"},
    )
    assert response.status_code == 302
    link = IncidentParty.objects.get(incident=incident)
    assert link.processor_told_us_on is not None and link.controller_told_on is None
    actions = list(Event.objects.filter(record_id=incident.pk).values_list("action", flat=True))
    assert "parties.linked" in actions and "parties.processor_told_us" in actions
    assert "controller" not in kinds(incident)  # we are the controller: no clock of ours
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "Scholaris MIS" in page and "They told you on" in page and "1 Dec 2026" in page
    rows = {r["label"]: r["value"] for s in extra_sections(incident, people.cast.alice) for r in s["rows"]}
    assert rows["Third party involved"].startswith("Scholaris MIS")


def test_as_processor_the_time_to_tell_the_controller_is_a_due_moment_that_the_scan_chases(people: People) -> None:
    controller = party(people.cast.school_a, "Testshire Music Service", kind="controller", tell_within_hours=12)
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    services.set_third_party(
        incident, by=people.cast.alice, third_party=controller, processor_told_us_on=None, controller_told_on=None
    )
    due = kinds(incident)["controller"]
    assert due.is_open and due.due_at == incident.reported_on + timedelta(hours=12)
    assert "Testshire Music Service" in due.label
    with time_machine.travel(incident.reported_on + timedelta(hours=13), tick=False):
        scan()
        assert overdue.flag_condition("others", incident.reported_on + timedelta(hours=13))
        flagged = Incident.objects.filter(overdue.flag_condition("others", incident.reported_on + timedelta(hours=13)))
        assert list(flagged) == [incident]
    escalation = Escalation.objects.get(kind=Escalation.Kind.CONTROLLER_OVERDUE)
    assert escalation.told == ["Carol DPO (Data Protection Officer)", "Alice Handler (Incident manager)"]
    assert types_of(Event.objects.get(action="escalation.controller_overdue")) == ["others.overdue"]  # webhooks hear it
    # Told: the deadline is met and the scan chases nothing more.
    told = incident.reported_on + timedelta(hours=14)
    with time_machine.travel(told + timedelta(minutes=5), tick=False):
        services.set_third_party(
            incident, by=people.cast.alice, third_party=controller, processor_told_us_on=None, controller_told_on=told
        )
        assert kinds(incident)["controller"].met_at == told
        assert Event.objects.filter(action="parties.controller_told", record_id=incident.pk).count() == 1
    # A shorter agreement on the register moves the clock of every open incident naming it.
    controller.tell_within_hours = 6
    services.save_party(organisation=people.cast.school_a, by=people.admin, party=controller)
    assert kinds(incident)["controller"].due_at == incident.reported_on + timedelta(hours=6)


def test_ransomware_has_the_usual_bodies_as_a_checklist_and_the_rpa_has_its_own_24_hours(
    client, people: People
) -> None:
    incident = triaged(people, discovered_on=None)
    assert [a.body for a in bodies_for(incident.organisation, malware())] == ["police", "insurer", "dfe", "ncsc", "it"]
    due = kinds(incident)
    assert set(due) >= {"body_insurer"} and not {"body_police", "body_dfe"} & set(due)  # no deadline of their own
    assert due["body_insurer"].due_at == incident.reported_on + timedelta(hours=24)
    client.force_login(people.investigator)
    assert client.get(reverse("parties:record_notice", args=[incident.uuid])).status_code == 404  # not assigned
    client.force_login(people.cast.alice)
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    for name in ("Police or Action Fraud", "Insurer or the DfE Risk Protection Arrangement (RPA)", "(NCSC)"):
        assert name in page
    assert page.count(">Not yet<") == 5
    home = client.get(reverse("home")).content.decode()
    assert "Tell the insurer or the RPA" in home

    response = client.post(
        reverse("parties:record_notice", args=[incident.uuid]),
        {
            "body": "insurer",
            "outcome": "told",
            "told_on": "2026-12-04T10:00",
            "reference": "RPA policy 12345, incident 678",
            "made_by": "Alice Handler",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert kinds(incident)["body_insurer"].met_at is not None
    missing_reason = client.post(
        reverse("parties:record_notice", args=[incident.uuid]), {"body": "police", "outcome": "not_needed"}
    )
    assert "Enter why they need not be told" in missing_reason.content.decode()
    client.post(
        reverse("parties:record_notice", args=[incident.uuid]),
        {"body": "police", "outcome": "not_needed", "reason": "Nothing was taken; the IT provider contained it"},
    )
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "RPA policy 12345, incident 678" in page and "Nothing was taken" in page
    assert page.count(">Not yet<") == 3 and ">Told<" in page and ">Not needed<" in page
    notices = BodyNotice.objects.filter(incident=incident)
    assert {(n.body, n.outcome, n.recorded_by) for n in notices} == {
        ("insurer", "told", people.cast.alice),
        ("police", "not_needed", people.cast.alice),
    }
    events = Event.objects.filter(record_id=incident.pk, action__startswith="parties.body_")
    assert sorted(e.action for e in events) == ["parties.body_not_needed", "parties.body_told"]
    rows = {r["label"]: r["value"] for s in extra_sections(incident, people.cast.alice) for r in s["rows"]}
    assert "RPA policy 12345" in rows["Insurer or the DfE Risk Protection Arrangement (RPA)"]
    assert rows["Police or Action Fraud"].startswith("Not needed")


def test_a_body_not_needed_stops_its_clock_and_one_not_on_the_list_is_shown_beside_the_ico(people: People) -> None:
    incident = triaged(people, pdb="yes")
    services.record_notice(incident, by=people.cast.alice, body="insurer", outcome="not_needed", reason="Not insured")
    assert kinds(incident)["body_insurer"].stopped == Deadline.Stopped.NOT_NEEDED
    services.record_notice(
        incident,
        by=people.cast.alice,
        body="other",
        body_name="Testshire Safeguarding Partnership",
        outcome="told",
        told_on=incident.reported_on,
    )
    from parties.checklist import items_for

    items = {i.name: i for i in items_for(incident)}
    assert items["Testshire Safeguarding Partnership"].state == "told"
    assert not items["Testshire Safeguarding Partnership"].expected
    assert items["Information Commissioner's Office (ICO)"].state == "not_yet"
    with pytest.raises(StepRefused):
        services.record_notice(incident, by=people.cast.alice, body="police", outcome="told", told_on=None)


def test_rules_are_inherited_and_overridden_down_the_tree(client, people: People) -> None:
    services.set_rules(
        organisation=people.cast.county, incident_type=malware(), by=None, chosen={"police": None, "la": 48}
    )
    assert [(a.body, a.hours) for a in bodies_for(people.cast.school_b, malware())] == [("police", None), ("la", 48)]
    client.force_login(people.admin)
    url = reverse("parties:body_rules_type", args=[people.cast.school_a.uuid, malware().pk])
    response = client.post(url, {"bodies": ["police", "insurer"], "hours_insurer": "2"})
    assert response.status_code == 302
    assert [(a.body, a.hours, a.source) for a in bodies_for(people.cast.school_a, malware())] == [
        ("police", None, "this organisation"),
        ("insurer", 2, "this organisation"),
    ]
    assert [a.body for a in bodies_for(people.cast.school_b, malware())] == [
        "police",
        "la",
    ]  # the sibling keeps the county's
    assert Event.objects.filter(action="body_rules.changed", actor=people.admin).count() == 1
    overview = client.get(reverse("parties:body_rules", args=[people.cast.school_a.uuid])).content.decode()
    assert "within 2 hours" in overview
    client.post(url, {"inherit": "1"})
    assert not BodyRule.objects.filter(organisation=people.cast.school_a).exists()
    assert [a.source for a in bodies_for(people.cast.school_a, malware())] == [
        "Testshire DPO Service",
        "Testshire DPO Service",
    ]


def test_a_rule_change_moves_the_open_incidents_due_moments(people: People) -> None:
    incident = triaged(people)
    assert "body_insurer" in kinds(incident)
    services.set_rules(organisation=people.cast.school_a, incident_type=malware(), by=None, chosen={"dfe": 4})
    assert set(kinds(incident)) & {"body_insurer", "body_dfe"} == {"body_dfe"}


def test_a_parent_gives_their_name_on_the_public_page_and_is_told_the_reference(client, people: People) -> None:
    page = page_for(people.cast.school_a)
    refused = send_report(client, page, who="named", reporter_email="not-an-address")
    html = refused.content.decode()
    assert "Enter your name" in html and "Select how you are connected to us" in html
    response = send_report(
        client,
        page,
        who="named",
        reporter_name="Priya Parent",
        reporter_email="priya@example.net",
        reporter_relationship="parent",
    )
    receipt_in(response)
    incident = Incident.objects.get()
    assert f'data-testid="reference">{incident.reference}<' in response.content.decode()
    assert (incident.reporter_name, incident.reporter_contact, incident.reporter_relationship) == (
        "Priya Parent",
        "priya@example.net",
        "parent",
    )
    assert not incident.reporter_anonymous and incident.reported_by is None and incident.channel == "web"
    event = Event.objects.get(action="incident.reported", record_id=str(incident.pk))
    after = event.after or {}
    assert (after["reporter_name"], after["reporter_relationship"]) == ("Priya Parent", "parent")
    assert event.actor is None and not Event.objects.filter(action="incident.external_reporter").exists()
    told = Outbox.objects.get(to_address="priya@example.net")
    assert incident.reference in told.subject and incident.reference in told.text
    client.force_login(people.cast.alice)
    detail = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "Priya Parent" in detail and 'data-testid="reporter-relationship">(parent or carer)<' in detail
    assert "priya@example.net" in detail  # how to contact the reporter


def test_an_anonymous_report_stays_anonymous_when_no_name_is_chosen(client, people: People) -> None:
    send_report(client, page_for(people.cast.school_a), reporter_name="Ignored")
    incident = Incident.objects.get()
    assert incident.reporter_anonymous and (incident.reporter_name, incident.reporter_relationship) == ("", "")


def test_the_demo_links_its_mis_supplier_and_shows_a_ransomware_checklist(db: None) -> None:
    from demo import load as demo
    from demo.parties import MIS_SUPPLIER, RANSOMWARE
    from parties.checklist import items_for

    # On a weekday: the demo's own overdue incidents count working days back from today.
    with time_machine.travel(datetime(2026, 12, 2, 11, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        demo.load(incident_count=6)
    link = IncidentParty.objects.select_related("third_party", "incident").get(third_party__name=MIS_SUPPLIER)
    assert link.third_party.organisation.name == "Fernbrook Learning Trust"  # served to the trust's school
    assert link.incident.organisation.name == "Brookside Primary School"
    ransomware = incident_described(RANSOMWARE)
    states = {i.body: i.state for i in items_for(ransomware)}
    assert states == {"police": "told", "insurer": "not_yet", "dfe": "not_yet", "ncsc": "not_yet", "it": "told"}
    rpa = Deadline.objects.get(incident=ransomware, kind="body_insurer")
    assert rpa.is_open and rpa.due_at - ransomware.reported_on == timedelta(hours=23)  # discovered an hour earlier
    controller = Deadline.objects.get(kind="controller")
    assert controller.is_open and controller.due_at < controller.incident.reported_on + timedelta(hours=25)
    parent = Incident.objects.get(reporter_relationship="parent")
    assert (parent.reporter_name, parent.reporter_contact) == ("Joanna Fairweather", "joanna.fairweather@example.net")
