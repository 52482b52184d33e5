"""Access follows the role (issue 12, finding 3).

Being named an incident's investigating officer grants access only while the person holds
a role that may be assigned (`organisations.powers.ASSIGNABLE_ROLES`) on the incident's
organisation or above. Removing the role takes the access away at once, in the session the
person already has open.
"""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Event
from evidence.models import Evidence
from incidents import lifecycle
from incidents.models import Incident, InternalNote
from notifications.models import Notification
from organisations import powers as powers_module
from organisations.models import Membership, Role

from .conftest import People
from .factories import MembershipFactory, UserFactory, reported_incident
from .lifecycle_helpers import classification, settle_checklist, write_report
from .test_contract import PNG


def assigned(p: People, investigator: Any = None) -> Incident:
    """An incident at school A, triaged by alice with `investigator` (the cast's) assigned."""
    incident = reported_incident(p.cast.school_a, p.cast.bob)
    lifecycle.triage(incident, by=p.cast.alice, investigator=investigator or p.investigator, **classification())
    incident.refresh_from_db()
    return incident


def remove_role(client: Any, p: People, user: Any) -> None:
    """The school's admin removes `user`'s investigator role through the people page."""
    membership = Membership.objects.get(user=user, organisation=p.cast.school_a, role=Role.INVESTIGATOR)
    client.force_login(p.admin)
    url = reverse("organisations:remove_membership", args=[p.cast.school_a.uuid, membership.pk])
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def upload(client: Any, incident: Incident) -> Any:
    return client.post(
        reverse("evidence:upload", args=[incident.uuid]),
        {"file": SimpleUploadedFile("a.png", PNG), "source": "staff", "description": "Screenshot"},
    )


@pytest.mark.asvs("V8.2.2")
@pytest.mark.asvs("V8.3.2")
def test_a_removed_investigator_can_no_longer_open_note_or_upload_in_their_open_session(client, people: People) -> None:
    incident = assigned(people)
    investigator_session = client.__class__()
    investigator_session.force_login(people.investigator)
    detail = reverse("incidents:detail", args=[incident.uuid])
    assert investigator_session.get(detail).status_code == 200
    note_url = reverse("incidents:add_note", args=[incident.uuid])
    assert investigator_session.post(note_url, {"body": "Spoke to staff"}).status_code == 302
    assert upload(investigator_session, incident).status_code == 302

    remove_role(client, people, people.investigator)

    # The same session, not signed in again: every door is now closed.
    assert investigator_session.get(detail).status_code == 404
    note = investigator_session.post(note_url, {"body": "After removal"})
    assert note.status_code == 404
    assert upload(investigator_session, incident).status_code == 404
    assert InternalNote.objects.filter(incident=incident).count() == 1
    assert Evidence.objects.filter(incident=incident).count() == 1
    assert incident.reference not in investigator_session.get(reverse("incidents:mine")).content.decode()
    assert not Incident.objects.visible_to(people.investigator).exists()


@pytest.mark.asvs("V8.2.2")
def test_the_assignment_alone_grants_nothing(people: People) -> None:
    stranger = UserFactory()
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    Incident.objects.filter(pk=incident.pk).update(investigator=stranger)
    incident.refresh_from_db()
    p = incident.powers_of(stranger)
    assert not p.is_assigned and not p.can_view and not p.can_work and not p.can_manage_actions
    assert not Incident.objects.visible_to(stranger).exists()


@pytest.mark.asvs("V8.2.2")
def test_a_role_elsewhere_or_below_does_not_keep_the_assignment(people: People) -> None:
    cast = people.cast
    elsewhere = UserFactory()
    MembershipFactory(user=elsewhere, organisation=cast.school_b, role=Role.INVESTIGATOR)
    MembershipFactory(user=elsewhere, organisation=cast.school_a, role=Role.REPORTER)
    incident = reported_incident(cast.school_a, cast.bob)
    Incident.objects.filter(pk=incident.pk).update(investigator=elsewhere)
    incident.refresh_from_db()
    assert not incident.powers_of(elsewhere).can_view
    assert not Incident.objects.visible_to(elsewhere).exists()


def test_an_investigator_role_above_keeps_the_assignment(people: People) -> None:
    cast = people.cast
    county_investigator = UserFactory()
    MembershipFactory(user=county_investigator, organisation=cast.county, role=Role.INVESTIGATOR)
    incident = assigned(people, county_investigator)
    assert incident.powers_of(county_investigator).can_work
    assert list(Incident.objects.visible_to(county_investigator)) == [incident]


def test_the_assignment_forms_offer_exactly_the_roles_that_keep_access(people: People) -> None:
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    offered = lifecycle.eligible_investigators(incident)
    assert {u.email for u in offered} == {"alice@example.org", "investigator@example.org", "siro@example.org"}
    for user in offered:
        roles = {m.role for m in user.memberships.all()}
        assert roles & powers_module.ASSIGNABLE_ROLES
        assert powers_module.powers(user, incident.organisation, user.pk).is_assigned


def test_a_removed_investigator_is_not_told_of_the_incident_again(client, people: People) -> None:
    incident = assigned(people)
    remove_role(client, people, people.investigator)
    Notification.objects.all().delete()
    alice = people.cast.alice
    lifecycle.start_investigation(incident, by=alice)
    settle_checklist(incident, alice)
    write_report(incident, alice)
    lifecycle.submit_outcome(incident, by=alice)
    lifecycle.review_outcome(incident, by=alice, accept=False, comments="Say who was told.")
    assert Event.objects.filter(action="incident.outcome_returned").exists()
    assert not Notification.objects.filter(user=people.investigator).exists()


def where(queryset: Any) -> str:
    return str(queryset.query).split(" WHERE ", 1)[1]


@pytest.mark.django_db
def test_an_assignment_where_the_person_already_sees_all_as_a_handler_adds_no_condition(people: People) -> None:
    # alice manages school A and may be assigned there: her own assignments are already among
    # everything she sees, so her condition is one `organisation IN (…)`, which both engines read
    # through the organisation's index (an OR with "assigned to her" made them walk every incident).
    c = people.cast
    hers = assigned(people, investigator=c.alice)
    other = reported_incident(c.school_a, c.bob)
    visible = Incident.objects.visible_to(c.alice)
    assert {hers.pk, other.pk} <= set(visible.values_list("pk", flat=True))
    assert "investigator_id" not in where(visible)
    # An investigating officer who is no handler still sees their own through the assignment.
    theirs = assigned(people)
    mine = Incident.objects.visible_to(people.investigator)
    assert "investigator_id" in where(mine)
    assert set(mine.values_list("pk", flat=True)) == {theirs.pk}
