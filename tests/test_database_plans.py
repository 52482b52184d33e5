"""Queries asked in the form each engine plans well (core/database.py, incidents migration 0023),
with the same answers on both engines."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.database import AmongFew
from deadlines import overdue
from deadlines.models import Deadline
from incidents.models import Incident
from organisations.models import Organisation

from .factories import reported_incident

pytestmark = pytest.mark.django_db


def test_among_few_finds_what_in_finds_asked_as_a_list_to_look_up_on_postgresql(cast) -> None:
    incidents = [reported_incident(cast.school_a, cast.bob) for _ in range(4)]
    few = Incident.objects.filter(pk__in=[incidents[1].pk, incidents[3].pk]).values("pk")
    with CaptureQueriesContext(connection) as queries:
        found = set(Incident.objects.filter(AmongFew(F("pk"), few)).values_list("pk", flat=True))
    assert (
        found
        == set(Incident.objects.filter(pk__in=few).values_list("pk", flat=True))
        == {
            incidents[1].pk,
            incidents[3].pk,
        }
    )
    sql = queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in sql
    else:
        assert " IN (SELECT" in sql
    assert not Incident.objects.filter(AmongFew(F("pk"), Incident.objects.none().values("pk"))).exists()


def test_may_count_is_every_incident_with_an_open_deadline_of_the_kinds(cast) -> None:
    incidents = [reported_incident(cast.school_a, cast.bob) for _ in range(3)]
    # Each reported incident's triage deadline is open; the second's is met, the third's stopped.
    Deadline.objects.filter(incident=incidents[1], kind=Deadline.Kind.TRIAGE).update(met_at=timezone.now())
    Deadline.objects.filter(incident=incidents[2], kind=Deadline.Kind.TRIAGE).update(stopped="closed")
    counted = Incident.objects.filter(overdue.may_count(("triage",)))
    assert set(counted.values_list("pk", flat=True)) == {incidents[0].pk}
    within = Organisation.objects.filter(pk=cast.school_b.pk).values("pk")
    assert not Incident.objects.filter(overdue.may_count(("triage",), within)).exists()
    theirs = reported_incident(cast.school_b, cast.bob)
    assert list(Incident.objects.filter(overdue.may_count(("triage",), within))) == [theirs]
    soon = timezone.now() + timedelta(days=30)
    assert Incident.objects.filter(overdue.may_count(("triage",)), overdue.flag_condition("triage", soon)).count() == 2


def test_the_reported_index_carries_what_visibility_asks_on_postgresql() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'incident_reported_idx'")
            (definition,) = cursor.fetchone()
            assert definition.endswith("(reported_on, id) INCLUDE (organisation_id, restricted_on)")
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'incident_reported_idx'")
            (definition,) = cursor.fetchone()
            assert '("reported_on", "id")' in definition
