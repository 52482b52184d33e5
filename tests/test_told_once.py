"""Who is told of what comes from one table (notifications.audiences), and each person is told once.

The steps reach it through their events, the deadline scan and the report job call it by
occasion; these tests hold them to one person, one notification per occasion, and to the same
recipients (and the same governance count) whichever path tells.
"""

import pytest
from django.db import transaction

from deadlines.scan import reconcile, scan
from incidents import lifecycle
from incidents.models import Incident, Routing
from notifications.audiences import AUDIENCES, Occasion, audience
from notifications.models import InformedNotice, InformedParty, Notification, Outbox
from organisations.models import Contact, Membership, Role

from .factories import UserFactory, reported_incident
from .lifecycle_helpers import Team, aware_now, classification, make_team

INFORMED_KINDS = ("informed_major", "informed_service", "informed_audit", "informed_caldicott")


@pytest.fixture
def team(db: None) -> Team:
    return make_team()


def notices(user, incident: Incident) -> list[str]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(user=user, incident=incident).order_by("id").values_list("kind", flat=True))


def reclassify(team: Team, incident: Incident, severity: str, **extra) -> None:  # type: ignore[no-untyped-def]
    lifecycle.reclassify(incident, by=team.manager, reason=f"Now {severity}", **classification(severity, **extra))


def test_the_dpo_who_is_also_a_governance_viewer_is_told_once_of_a_major_incident(team: Team) -> None:
    Membership.objects.create(user=team.dpo, organisation=team.school, role=Role.GOVERNANCE)
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, **classification("major"))
    assert notices(team.dpo, incident) == ["incident_serious"]  # as DPO, the first part that reaches them
    assert notices(team.governor, incident) == ["informed_major"]
    # Marked as told under the governance rule too, so the scan does not tell them as a viewer later.
    assert InformedNotice.objects.filter(incident=incident, rule="governance", address=team.dpo.email).exists()
    scan()
    assert notices(team.dpo, incident) == ["incident_serious"]
    assert notices(team.governor, incident) == ["informed_major"]


def test_one_person_who_is_dpo_and_siro_gets_one_notification_of_a_critical_incident(team: Team) -> None:
    Membership.objects.create(user=team.dpo, organisation=team.school, role=Role.SIRO)
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, **classification("critical"))
    # The SIRO's "undertake or delegate" comes first in the table, so that is the one they get.
    assert notices(team.dpo, incident) == ["incident_critical_siro"]
    assert notices(team.siro, incident) == ["incident_critical_siro"]


def test_the_same_person_in_two_informed_audiences_gets_one_email(team: Team) -> None:
    Contact.objects.create(
        organisation=team.county, kind=Contact.Kind.INTERNAL_AUDIT, name="A", email="both@example.org"
    )
    Contact.objects.create(organisation=team.school, kind=Contact.Kind.CALDICOTT, name="C", email="Both@example.org")
    incident = reported_incident(team.school, team.reporter, personal_data="yes")
    lifecycle.triage(incident, by=team.manager, **classification("minor"))
    assert list(Outbox.objects.filter(to_address__iexact="both@example.org").values_list("kind", flat=True)) == [
        "informed_audit"
    ]
    scan()
    assert Outbox.objects.filter(to_address__iexact="both@example.org").count() == 1


def test_governance_viewers_hear_once_of_a_major_incident_with_the_count_of_open_serious_incidents(
    team: Team,
) -> None:
    trust_board = UserFactory(email="board@example.org")
    Membership.objects.create(user=trust_board, organisation=team.county, role=Role.GOVERNANCE)
    earlier = reported_incident(team.school, team.reporter)
    Incident.objects.filter(pk=earlier.pk).update(severity="critical", status=Incident.Status.INVESTIGATING)
    closed = reported_incident(team.school, team.reporter)
    Incident.objects.filter(pk=closed.pk).update(severity="major", status=Incident.Status.CLOSED)
    elsewhere = reported_incident(team.sibling, None)
    Incident.objects.filter(pk=elsewhere.pk).update(severity="major", status=Incident.Status.INVESTIGATING)
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, **classification("major"))
    scan()
    reclassify(team, incident, "critical")
    reclassify(team, incident, "major")
    scan()
    for viewer in (team.governor, trust_board):
        assert notices(viewer, incident) == ["informed_major"]
        [email] = Outbox.objects.filter(to_address=viewer.email, incident=incident)
        # This one and the earlier critical one: open, major or critical, at the school or beneath it.
        assert "Open major or critical incidents at Appleby Primary School: 2" in email.text
        assert "class list" not in email.text
    routing = Routing.objects.get(incident=incident)
    assert routing.governance_told_on is not None


def test_major_critical_major_routes_each_change_once_per_person(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("major"))
    reclassify(team, incident, "critical")
    reclassify(team, incident, "major")
    reclassify(team, incident, "major", nature="weakness")  # not a change of severity: nobody is told
    assert notices(team.dpo, incident) == ["incident_serious"] * 3
    assert notices(team.siro, incident) == ["incident_serious", "incident_critical_siro", "incident_serious"]
    assert notices(team.governor, incident) == ["informed_major"]
    assert notices(team.investigator, incident) == ["investigator_assigned"]


def test_routing_times_are_stamped_when_the_people_are_told(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, **classification("minor"))
    routing = Routing.objects.get(incident=incident)
    assert (routing.dpo_told_on, routing.siro_told_on, routing.governance_told_on) == (None, None, None)
    reclassify(team, incident, "major")
    routing.refresh_from_db()
    told_on = Notification.objects.get(user=team.dpo, incident=incident).created_on
    assert routing.dpo_told_on == told_on
    assert routing.siro_told_on == Notification.objects.get(user=team.siro, incident=incident).created_on
    assert routing.governance_told_on == Notification.objects.get(user=team.governor, incident=incident).created_on


def test_steps_tell_nobody_of_what_they_did_themselves(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, investigator=team.manager, **classification("minor"))
    assert notices(team.manager, incident) == []
    lifecycle.assign_investigator(incident, by=team.manager, investigator=team.investigator)
    assert notices(team.investigator, incident) == ["investigator_assigned"]


def test_the_siro_or_dpo_who_makes_an_incident_serious_is_not_told_of_it_but_the_other_is(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.siro, **classification("critical"))
    assert notices(team.siro, incident) == []  # they triaged it critical: no "undertake or delegate" for them
    assert notices(team.dpo, incident) == ["incident_serious"]
    other = reported_incident(team.school, team.reporter)
    lifecycle.triage(other, by=team.manager, investigator=team.investigator, **classification("minor"))
    lifecycle.reclassify(other, by=team.dpo, reason="Now major", **classification("major"))
    assert notices(team.dpo, other) == []
    assert notices(team.siro, other) == ["incident_serious"]


def test_an_action_s_owner_is_told_unless_they_gave_it_to_themselves(team: Team) -> None:
    from actions.services import create_action

    incident = reported_incident(team.school, team.reporter)
    create_action(by=team.manager, incident=incident, title="Retrain", owner=team.investigator, due_on=None)
    create_action(by=team.manager, incident=incident, title="Check", owner=team.manager, due_on=None)
    assert notices(team.investigator, incident) == ["action_assigned"]
    assert notices(team.manager, incident) == []


def capture(incident: Incident) -> dict[str, object]:
    """Who was told under the informed rules, by what, with what words (the count included)."""
    return {
        "emails": sorted(
            (row.to_address, row.kind, row.text)
            for row in Outbox.objects.filter(incident=incident, kind__in=INFORMED_KINDS)
        ),
        "in_app": sorted(
            Notification.objects.filter(incident=incident, kind__in=INFORMED_KINDS).values_list("user_id", "kind")
        ),
        "notices": sorted(InformedNotice.objects.filter(incident=incident).values_list("rule", "address")),
        "governance_stamped": Routing.objects.filter(incident=incident, governance_told_on__isnull=False).exists(),
    }


def test_the_step_and_the_scan_tell_the_same_people_the_same_words(team: Team) -> None:
    Contact.objects.create(
        organisation=team.county, kind=Contact.Kind.INTERNAL_AUDIT, name="A", email="audit@example.org"
    )
    Contact.objects.create(organisation=team.school, kind=Contact.Kind.CALDICOTT, name="C", email="cg@example.org")
    InformedParty.objects.create(organisation=team.school, role="system_owner", name="S", email="so@example.org")
    incident = reported_incident(team.school, team.reporter, service_affected="yes", service_name="MIS")
    values = classification("major", personal_data_breach="yes", aware_on=aware_now())

    with transaction.atomic():  # path 1: the triage step, through its event
        lifecycle.triage(incident, by=team.manager, **values)
        by_step = capture(incident)
        transaction.set_rollback(True)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.REPORTED and not Outbox.objects.exists()

    with transaction.atomic():  # path 2: the same classification, set by hand, found by the nightly full pass
        Incident.objects.filter(pk=incident.pk).update(
            status=Incident.Status.TRIAGED,
            triaged_on=aware_now(),
            **{k: v for k, v in values.items() if k != "incident_type"},
        )
        Routing.objects.create(incident=incident, routed_severity="major")
        reconcile()
        by_scan = capture(incident)
        transaction.set_rollback(True)

    assert by_step == by_scan
    assert {kind for _, kind, _ in by_step["emails"]} == set(INFORMED_KINDS)  # type: ignore[attr-defined]
    assert by_step["in_app"] == [(team.governor.pk, "informed_major")]


def test_an_escalation_reaches_a_person_holding_both_roles_once(team: Team) -> None:
    Membership.objects.create(user=team.dpo, organisation=team.school, role=Role.SIRO)
    incident = reported_incident(team.school, team.reporter)
    groups = audience(Occasion("escalation.ico_clock", incident=incident))
    assert [len(g.people) for g in groups] == [1, 2]  # the DPO; the SIRO and the DPO as SIRO
    with transaction.atomic():
        from notifications.audiences import tell

        told = tell(Occasion("escalation.ico_clock", incident=incident), context={"reference": incident.reference})
    assert [p.pk for g in told for p in g.people] == [team.dpo.pk, team.siro.pk]
    assert Outbox.objects.filter(to_address=team.dpo.email).count() == 1


def test_every_escalation_kind_has_an_audience() -> None:
    from deadlines.models import Escalation

    assert {f"escalation.{kind}" for kind in Escalation.Kind.values} <= set(AUDIENCES)
