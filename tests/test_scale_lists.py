"""The lists at scale (issue 20): the same queries at 200 and at 2,000 incidents, each served by an index.

Three viewers of a county: the county DPO (sees everything), a trust's incident manager (its
schools) and one school's business manager (incident manager there, investigator of some of
its incidents and reporter of some). Incidents are made with `insights.sample.generate`
(bulk_create, every status, severity and clock state). For every list a person opens in the
morning, the number of queries may not grow with the county, and no query may read the whole
incidents or deadlines table (`tests/explain.py`: EXPLAIN QUERY PLAN on SQLite, EXPLAIN with sequential
scans off on PostgreSQL). Then the keyset pages: every incident on exactly one page, forwards
and back, through the links a person without JavaScript follows.
"""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import statistics
from core.keyset import COUNT_CAP, Tally, tally
from deadlines.models import Deadline
from incidents.models import Incident, IncidentType
from insights.sample import generate
from organisations.models import Membership, Organisation, Role

from .explain import full_scans
from .factories import UserFactory

SMALL, LARGE = 200, 2000
SCHOOLS = 12
IN_TRUST = 3


class County:
    def __init__(self) -> None:
        self.county = Organisation.objects.create(name="County DPO Service", kind=Organisation.Kind.DPO_SERVICE)
        self.trust = Organisation.objects.create(name="Trust", kind=Organisation.Kind.TRUST, parent=self.county)
        self.schools = [
            Organisation.objects.create(
                name=f"School {i}", kind="school", parent=self.trust if i < IN_TRUST else self.county
            )
            for i in range(SCHOOLS)
        ]
        self.school = self.schools[IN_TRUST]  # outside the trust
        self.viewers = {
            "county DPO": self.member(self.county, Role.DPO),
            "trust handler": self.member(self.trust, Role.INCIDENT_MANAGER),
            "school manager": self.member(self.school, Role.INCIDENT_MANAGER),
        }
        self.made = 0

    @staticmethod
    def member(organisation: Organisation, role: str) -> Any:
        person = UserFactory()
        Membership.objects.create(user=person, organisation=organisation, role=role)
        return person

    def grow_to(self, count: int) -> None:
        types = [*IncidentType.objects.filter(organisation=None), None]
        self.made += generate(self.schools, types, count - self.made, now=timezone.now(), seed=count)
        manager = self.viewers["school manager"]
        theirs = Incident.objects.filter(organisation=self.school, investigator=None).order_by("id")
        opened = list(theirs.filter(status__in=Incident.OPEN_STATUSES).values_list("pk", flat=True)[:5])
        Incident.objects.filter(pk__in=opened).update(investigator=manager)
        reported = list(theirs.filter(reported_by=None).values_list("pk", flat=True)[:5])
        Incident.objects.filter(pk__in=reported).update(reported_by=manager)
        statistics.refresh()  # as a deployment's database has its statistics (nightly and after migrate)


def lists(county: County, person: Any) -> dict[str, str]:
    """Every list a person opens in the morning, by name; the next page starts at the 10th newest."""
    tenth = Incident.objects.visible_to(person).order_by("-reported_on", "-id")[9]
    return {
        "incident list": "/incidents/",
        "incident list, next page": f"/incidents/?after={tenth.reported_on.isoformat()}~{tenth.pk}".replace("+", "%2B"),
        "incident list, open": "/incidents/?status=open",
        "incident list, one school": f"/incidents/?organisation={county.school.pk}",
        "incident list, search": "/incidents/?q=generated",
        "triage queue": "/incidents/queue/",
        "assigned to me": "/incidents/mine/",
        "major and critical": "/incidents/serious/",
        "ICO clocks": "/deadlines/ico-clocks/",
        "home": "/",
        "my reports": "/my-reports/",
        "actions": "/actions/",
        "my actions": "/actions/mine/",
    }


def visit(client: Client, url: str) -> list[dict[str, Any]]:
    client.get(url)  # once before: what a first visit in a session reads once is not the list's cost
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return captured.captured_queries


@pytest.fixture
def county(db: None) -> County:
    return County()


@pytest.mark.parametrize("viewer", ["county DPO", "trust handler", "school manager"])
def test_each_list_costs_the_same_queries_at_ten_times_the_incidents_each_through_an_index(
    client: Client, county: County, viewer: str
) -> None:
    from learning import search

    person = county.viewers[viewer]
    client.force_login(person)
    county.grow_to(SMALL)
    search.rebuild()
    few = {name: len(visit(client, url)) for name, url in lists(county, person).items()}
    county.grow_to(LARGE)
    search.rebuild()
    many, scans = {}, {}
    for name, url in lists(county, person).items():
        queries = visit(client, url)
        many[name] = len(queries)
        scans[name] = full_scans(queries, Incident._meta.db_table) + full_scans(queries, Deadline._meta.db_table)
    assert many == few
    bad = {name: plans for name, plans in scans.items() if plans}
    assert bad == {}, "\n\n".join(f"{n}:\n" + "\n".join(p) for n, p in bad.items())


def follow(client: Client, url: str, rel: str) -> tuple[list[str], str]:
    """The incidents a page lists, and the address its `rel` link leads to ("" if none)."""
    page = client.get(url).content.decode()
    found = re.search(rf'href="([^"]*)" rel="{rel}"', page)
    link = "/incidents/" + found.group(1).replace("&amp;", "&") if found else ""
    return re.findall(r'href="/incidents/([0-9a-f-]{36})/"', page), link


def test_the_pages_hold_every_incident_once_forwards_and_back_through_plain_links(
    client: Client, county: County
) -> None:
    county.grow_to(SMALL)
    client.force_login(county.viewers["county DPO"])
    pages: list[list[str]] = []
    url, last = "/incidents/", ""
    while url:
        rows, following = follow(client, url, "next")
        pages.append(rows)
        last, url = url, following
    newest_first = Incident.objects.order_by("-reported_on", "-id").values_list("uuid", flat=True)
    assert [row for rows in pages for row in rows] == [str(u) for u in newest_first]
    assert [len(rows) for rows in pages] == [50, 50, 50, 50]
    back: list[list[str]] = []
    url = last
    while url:
        rows, url = follow(client, url, "prev")
        back.insert(0, rows)
    assert back == pages


def test_the_count_is_exact_up_to_the_cap_and_an_estimate_said_as_one_beyond(client: Client, county: County) -> None:
    now = timezone.now()
    school = county.school
    # One report an hour, steadily: the estimate carries the newest thousand's rate back.
    Incident.objects.bulk_create(
        Incident(organisation=school, description=f"Report {n}", reported_on=now - timedelta(hours=n))
        for n in range(COUNT_CAP + 500)
    )
    everything = Incident.objects.all()
    assert tally(everything.filter(reported_on__gte=now - timedelta(hours=COUNT_CAP - 1)), key="reported_on") == Tally(
        COUNT_CAP, exact=True
    )
    estimate = tally(everything, key="reported_on")
    assert not estimate.exact and str(estimate).startswith("about ")
    assert abs(estimate.number - (COUNT_CAP + 500)) <= (COUNT_CAP + 500) * 0.05
    client.force_login(county.viewers["school manager"])
    page = client.get("/incidents/").content.decode()
    assert f"about {estimate.number:,} incidents (an estimate" in page
    assert "Act on all matching the filter" in page


def test_an_incidents_own_deadlines_are_read_through_an_index_and_are_those_without_an_action(
    county: County,
) -> None:
    """`DeadlineQuerySet.of_incidents` (the home page's and the list's due dates): the same rows
    as `action IS NULL`, read through an index. (At 100,000 incidents on SQLite's sampled
    statistics the plain `action IS NULL` read 260,000 deadlines through the unique index on
    `action`: bench/compare.py's home page; too large a table to make here.)"""
    county.grow_to(600)  # statistics refreshed, as every night
    ids = list(Incident.objects.order_by("id").values_list("id", flat=True)[:300])
    mine = Deadline.objects.open().of_incidents(ids)
    with CaptureQueriesContext(connection) as captured:
        found = set(mine)
    assert full_scans(captured.captured_queries, Deadline._meta.db_table) == []
    assert found == set(Deadline.objects.open().filter(incident_id__in=ids, action__isnull=True))
    assert len(found) > 100
