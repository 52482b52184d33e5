"""bench/compare.py measures real pages: its generated county, at a tiny size, answers every
page it times with 200 for each of its three viewers, each viewer's list shows exactly what
`visible_to` lets them see, and the exports and the scan it times run on the same data. So the
bench cannot silently time a redirect, an error page or someone else's incidents."""

import pytest

from bench import compare
from bench import county as generator
from deadlines.models import Deadline, Escalation
from incidents.models import Incident
from learning.models import SearchEntry
from tests.mfa import SecondFactorClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    # 40 generated and 6 through the steps: the county DPO's list holds them all on its first page.
    return generator.generate(40, schools=6, trusts=2, jobs=1, say=lambda _: None)


def test_every_figure_is_of_a_page_that_answered_and_each_viewer_sees_what_visible_to_says(county):
    # repeat=0: each page once (the bench's warm-up, which gives the status it would report).
    figures = compare.run(county, repeat=0, export_cap=0, scan_repeat=1)
    assert len(figures) == 3 * (len(compare.pages(county, "dpo")) + 2) + 2
    assert [f"{f.what}, {f.viewer}" for f in figures if f.status != 200] == []
    seen = {}
    for label, key in generator.VIEWERS:
        viewer = county.viewers[key]
        client = SecondFactorClient()
        client.force_login(viewer)
        visible = set(Incident.objects.visible_to(viewer).values_list("reference", flat=True))
        assert compare.references(client.get("/incidents/").content.decode()) == visible, label
        exports = [f.note.split(" rows")[0] for f in figures if f.viewer == label and f.what.endswith("export")]
        assert exports == [str(len(visible))] * 2, label
        seen[key] = visible
    assert seen["school"] < seen["trust"] < seen["dpo"]
    assert seen["dpo"] == set(Incident.objects.values_list("reference", flat=True))
    assert {i.organisation_id for i in Incident.objects.filter(reference__in=seen["school"])} == {county.schools[0].pk}
    quiet = figures[-2]
    assert quiet.what == "deadline scan, nothing due" and "0 escalations" in quiet.note  # settled


def test_generated_incidents_have_due_moments_search_entries_and_a_sample_with_history(county):
    assert set(Incident.objects.values_list("status", flat=True)) >= {Incident.Status.REPORTED, Incident.Status.CLOSED}
    assert not Incident.objects.exclude(pk__in=Deadline.objects.values("incident_id")).exists()
    assert SearchEntry.objects.filter(kind=SearchEntry.Kind.INCIDENT).count() == Incident.objects.count()
    assert Escalation.objects.exists()  # what earlier scans sent, for the open incidents overdue
    assert county.sample.status == Incident.Status.INVESTIGATING
    assert generator.find().sample == county.sample  # what --reuse finds


def test_the_encryption_comparison_pairs_each_page_of_the_two_runs():
    from bench import encryption

    def run(deep: str, list_ms: float, export_ms: float) -> str:
        figures = [
            compare.Figure("incident list, first page", "county DPO", [list_ms], 10),
            compare.Figure(f"incident list, page {deep} incidents", "county DPO", [list_ms * 2], 12),
            compare.Figure("CSV export", "county DPO", [export_ms], 6, note="20,000 rows (capped)"),
            compare.Figure("search 'laptop'", "county DPO", [1.0], 7, status=500),
        ]
        return f"sqlite, a heading\n\n{compare.table(figures)}\n"

    text = encryption.compare(run("1,000 of 100,006", 50.0, 1500.0), run("1,001 of 100,050", 60.0, 1200.0))
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert rows == [
        "| incident list, first page | county DPO | 50.0 | 60.0 | 1.20 | 10 → 10 |",
        "| incident list, page half-way down | county DPO | 100.0 | 120.0 | 1.20 | 12 → 12 |",
        "| CSV export | county DPO | 1,500.0 | 1,200.0 | 0.80 | 6 → 6 |",
    ]  # a page that failed in either run is left out, never compared
