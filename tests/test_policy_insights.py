"""Incidents counted by the policy point they broke: the dashboard (table and chart, the same
numbers), the monitoring log (column and filter, and so its exports) and the governor pack,
which also holds the acknowledgement figures and the exceptions in force."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from incidents import lifecycle
from insights import pack
from insights.scope import Scope
from policies import exceptions
from policies.models import Acknowledgement

from .conftest import People
from .factories import reported_incident
from .policy_helpers import point, published_policy


@pytest.fixture
def broken(people: People):  # type: ignore[no-untyped-def]
    """Three incidents at school A: two broke point 2, one broke points 2 and 3; one broke none."""
    cast = people.cast
    version = published_policy(cast.county)
    made = []
    for points in (["2"], ["2", "3"], []):
        incident = reported_incident(cast.school_a, cast.bob)
        lifecycle.triage(
            incident,
            by=cast.alice,
            severity="minor",
            nature="incident",
            breach_status="near_miss",
            personal_data_breach="no",
        )
        if points:
            exceptions.record_points(incident, by=cast.alice, points=[point(version, n) for n in points])
        made.append(incident)
    return version, made


def test_the_dashboard_counts_incidents_by_policy_point_in_a_table_beside_its_chart(
    client, people: People, broken
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people.cast.alice)
    response = client.get(reverse("insights:dashboard"))
    (chart,) = [c for c in response.context["charts"] if c["key"] == "policy_points"]
    assert [(row["label"], row["value"]) for row in chart["rows"]] == [
        ("Information security incident policy: point 2", 2),
        ("Information security incident policy: point 3", 1),
    ]
    page = response.content.decode()
    assert "Incidents by policy point broken, last 12 months" in page
    assert "Information security incident policy: point 2: 2" in page  # the chart's description, read aloud
    # Each figure links to exactly its rows in the log.
    log = client.get(chart["rows"][0]["href"])
    assert log.context["tally"].number == 2


def test_the_log_shows_and_filters_the_points_and_the_export_holds_them(client, people: People, broken) -> None:  # type: ignore[no-untyped-def]
    version, made = broken
    client.force_login(people.cast.alice)
    key = point(version, "3").key
    response = client.get(reverse("insights:log"), {"policy_point": key, "columns": ["policy_points"]})
    (row,) = response.context["rows"]
    assert row["policy_points"] == "Information security incident policy 2; Information security incident policy 3"
    csv = b"".join(client.get(reverse("insights:export_csv"), {"policy_point": key}).streaming_content).decode()
    assert "Policy points broken" in csv.splitlines()[0]
    assert made[1].reference in csv and made[0].reference not in csv


def test_the_governor_pack_counts_points_acknowledgements_and_exceptions_in_force(people: People, broken) -> None:  # type: ignore[no-untyped-def]
    version, _ = broken
    cast = people.cast
    Acknowledgement.objects.create(version=version, user=cast.bob, acknowledged_at=timezone.now())
    Acknowledgement.objects.create(version=version, user=cast.alice, acknowledged_at=timezone.now())
    exception = exceptions.request(
        organisation=cast.school_a,
        point=point(version, "2"),
        by=cast.bob,
        reason="r",
        risk="r",
        compensating_measure="m",
    )
    exceptions.approve(exception, by=people.siro, ends_on=exceptions.today_here() + timedelta(days=30))
    today = timezone.localdate()
    data = pack.build(Scope(cast.school_a, [cast.school_a], True), pack.Period(today - timedelta(days=30), today))
    assert [(r["label"], r["current"]) for r in data["by_policy_point"]] == [
        ("Information security incident policy: point 2", 2),
        ("Information security incident policy: point 3", 1),
    ]
    (ack,) = data["policy"]["acknowledgements"]
    assert (ack["acknowledged"], ack["people"]) == (2, 6)  # school A's six people with a role
    assert data["policy"]["exceptions_total"] == 1
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pack.render_pdf(data))).pages)
    assert "Incidents by policy point broken" in text and "Exceptions in force on the last day of the period: 1" in text
