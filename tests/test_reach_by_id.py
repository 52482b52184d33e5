"""A handler of an organisation with none beneath it (a school) reaches its incidents by the
organisation's id (`organisations.powers.leaves_of`), so the planner knows how few they are;
an organisation with others beneath it is still a subquery of its tree. Either way the same
incidents are seen, including once an organisation is added beneath a school."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deadlines.models import Deadline
from incidents.models import Incident, visible_through
from incidents.models.restriction import OutsideAccess
from organisations.models import Membership, Organisation, Role
from organisations.powers import leaves_of, memberships_of

from .conftest import Cast
from .factories import OrganisationFactory, UserFactory, reported_incident


def where_of(queryset: object) -> str:
    sql = str(queryset.query)  # type: ignore[attr-defined]
    return sql[sql.index(" WHERE ") :]


@pytest.mark.django_db
def test_a_schools_handler_reaches_it_by_id_and_the_county_dpo_by_the_tree(cast: Cast) -> None:
    manager = UserFactory()
    Membership.objects.create(user=manager, organisation=cast.school_a, role=Role.INCIDENT_MANAGER)
    assert leaves_of(manager) == {cast.school_a.path: cast.school_a.pk}
    where = where_of(Incident.objects.visible_to(manager))
    assert f'"organisation_id" IN ({cast.school_a.pk})' in where
    assert "organisations_organisation" not in where
    # The county DPO (Carol) sees a tree: a subquery of the organisations under it, no ids.
    assert leaves_of(cast.carol) == {}
    assert "organisations_organisation" in where_of(Incident.objects.visible_to(cast.carol))


@pytest.mark.django_db
def test_the_same_incidents_are_seen_and_an_organisation_added_beneath_is_reached(cast: Cast) -> None:
    manager = UserFactory()
    Membership.objects.create(user=manager, organisation=cast.school_a, role=Role.INCIDENT_MANAGER)
    mine = reported_incident(cast.school_a, cast.alice)
    reported_incident(cast.school_b, cast.bob)
    assert set(Incident.objects.visible_to(manager)) == {mine}
    with CaptureQueriesContext(connection) as read:
        memberships_of(manager), leaves_of(manager)
    assert len(read.captured_queries) == 0  # kept on the user object: one query a request

    # A unit beneath the school, with a report of its own: the school is no longer a leaf, and
    # the same user object (kept memberships) now reaches the unit through the tree.
    unit = OrganisationFactory(name="Sixth form", kind=Organisation.Kind.DEPARTMENT, parent=cast.school_a)
    theirs = reported_incident(unit, cast.alice)
    assert leaves_of(manager) == {}
    assert set(Incident.objects.visible_to(manager)) == {mine, theirs}


@pytest.mark.django_db
def test_outside_help_still_opens_one_incident_beside_a_schools_own(cast: Cast) -> None:
    manager = UserFactory()
    Membership.objects.create(user=manager, organisation=cast.school_a, role=Role.INCIDENT_MANAGER)
    mine = reported_incident(cast.school_a, cast.alice)
    other = reported_incident(cast.school_b, cast.bob)
    assert set(Incident.objects.visible_to(manager)) == {mine}
    OutsideAccess.objects.create(
        incident=other,
        name="Pat Auditor",
        email="pat@example.org",
        person=manager,
        invited_by=cast.carol,
        invited_on=timezone.now(),
        ends_on=timezone.now() + timedelta(days=7),
    )
    assert set(Incident.objects.visible_to(manager)) == {mine, other}
    # Its children follow it, through the same rule joined on their incident.
    deadlines = Deadline.objects.filter(visible_through(manager, "incident"))
    assert {d.incident_id for d in deadlines} == {mine.pk, other.pk}  # each report's triage deadline
