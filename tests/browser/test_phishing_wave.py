"""A phishing wave in a real browser (issue 16): 300 reports of one email in fifteen minutes,
brought into one incident by one handler with the list's bulk steps, counting the clicks.

The reports are real reports (`demo.waves.phishing_wave`: reference, first event, deadlines)
from ten members of staff, beside one unrelated report the filter leaves out. The handler
filters the list, acts on every matching report, and merges them into the first reported:
the other 299 are closed as its duplicates, their reporters kept as its reporters. So many are
merged by the background worker (the request would outlast the web server's timeout), so the
handler sees "Working on 299 incidents", then, with "Check again", the outcome. axe-core
checks the list, the bulk page, the progress page and the outcome.
"""

import time

import pytest
from playwright.sync_api import Page, expect

from demo.waves import phishing_wave
from incidents.models import Incident, KeptReporter
from organisations.models import Membership, Role

from ..factories import UserFactory, incident_described, reported_incident
from ..lifecycle_helpers import make_team
from ..test_reporting import run_worker
from .axe import assert_accessible
from .test_reporting_journey import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def team(transactional_db: None):
    return make_team()


def test_a_handler_brings_300_phishing_reports_into_one_incident(page: Page, site: str, team) -> None:
    staff = [team.reporter]
    for n in range(9):
        person = UserFactory(email=f"staff{n}@example.org")
        Membership.objects.create(user=person, organisation=team.school, role=Role.REPORTER)
        staff.append(person)
    started = time.monotonic()
    wave = phishing_wave(team.school, staff, 300)
    reported_incident(team.school, team.reporter, description="A laptop was left on the bus.")
    made = time.monotonic() - started

    sign_in(page, site, team.manager.email)
    clicks = 0

    def click(locator) -> None:
        nonlocal clicks
        clicks += 1
        locator.click()

    # The list, filtered to the wave's words: 300 of the 301 reports.
    if not page.get_by_role("link", name="All incidents", exact=True).count():
        click(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Incidents", exact=True))
    else:
        click(page.get_by_role("link", name="All incidents", exact=True).first)
    page.get_by_label("Search").fill("email")
    click(page.get_by_role("button", name="Filter", exact=True))
    expect(page.get_by_role("status")).to_have_text("300 incidents")
    assert_accessible(page)

    # Every matching report, merged into the first reported.
    click(page.get_by_role("button", name="Act on all 300 matching the filter"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Act on 300 incidents")
    assert_accessible(page)
    click(page.get_by_label("Merge them into one incident: close the others as its duplicates"))
    assert_accessible(page)
    merging = time.monotonic()
    click(page.get_by_role("button", name="Apply to 300 incidents"))
    # Too many to merge while the browser waits: the worker takes them, and the page says so.
    expect(page.get_by_role("heading", level=1)).to_have_text("Working on 299 incidents")
    assert_accessible(page)
    run_worker()  # the background worker, as `make run` and production run it
    click(page.get_by_role("link", name="Check again"))
    expect(page.get_by_role("heading", level=1)).to_have_text("299 done, 0 not")
    merged = time.monotonic() - merging
    assert_accessible(page)

    survivor = wave[0]
    duplicates = Incident.objects.filter(duplicate_of=survivor, status=Incident.Status.CLOSED_DUPLICATE)
    assert duplicates.count() == 299
    assert set(duplicates.values_list("pk", flat=True)) == {i.pk for i in wave[1:]}
    # Each reporter of a duplicate is kept as a reporter of the survivor (its own reporter already is).
    kept = set(KeptReporter.objects.filter(incident=survivor).values_list("person_id", flat=True))
    assert kept == {p.pk for p in staff} - {survivor.reported_by_id}
    assert KeptReporter.objects.filter(incident=survivor).count() == sum(
        1 for i in wave[1:] if i.reported_by_id != survivor.reported_by_id
    )
    assert incident_described("A laptop was left on the bus.").status == Incident.Status.REPORTED

    click(page.get_by_role("link", name=f"Go to {survivor.reference}"))
    expect(page.get_by_text("299 reports, whose")).to_be_visible()
    print(
        f"\nPhishing wave: 300 reports made in {made:.1f} s; brought into {survivor.reference} with {clicks - 1} "
        f"clicks after signing in (and one more to open it); the merge of 299 took {merged:.1f} s in the browser"
    )
