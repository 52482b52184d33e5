"""The lifecycle in a real browser: report → triage (major) → DPO told → checklist →
outcome report → DPO review → close, with axe-core on every page visited."""

import pytest
from playwright.sync_api import Page, expect

from incidents.models import Incident, Routing

from ..lifecycle_helpers import make_team, queued
from .axe import assert_accessible as axe_check
from .test_reporting_journey import sign_in, sign_out, via_menu

pytestmark = pytest.mark.browser


@pytest.fixture
def team(transactional_db: None):
    return make_team()


def assert_accessible(page: Page) -> None:
    page.wait_for_load_state()
    axe_check(page)


def open_incident(page: Page, reference: str, nav: str) -> None:
    via_menu(page, nav)
    assert_accessible(page)
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)
    assert_accessible(page)


def test_major_incident_from_report_to_closure(page: Page, site: str, team) -> None:
    # The reporter reports.
    sign_in(page, site, "reporter@example.org")
    page.get_by_label("What happened?").fill("The attendance system was down all morning and registers were lost.")
    page.get_by_role("button", name="Send report").click()
    reference = page.get_by_test_id("reference").inner_text()
    assert_accessible(page)
    sign_out(page)

    # The incident manager triages it as major from the triage queue.
    sign_in(page, site, "manager@example.org")
    open_incident(page, reference, "Triage queue")
    page.get_by_role("button", name="Triage the report").click()
    assert_accessible(page)
    expect(page.get_by_text("A personal data breach likely to result in a risk to individuals")).to_be_visible()
    page.get_by_role("button", name="Save the triage").click()  # nothing chosen: errors, accessibly
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name="What is it?").get_by_label("Incident", exact=True).check()
    page.get_by_role("group", name="Breach status").get_by_label("Potential breach").check()
    page.get_by_role("group", name="Is it a personal data breach?").get_by_label("No", exact=True).check()
    page.get_by_label("Availability").check()
    page.get_by_label("Incident type").select_option(label="System malfunction")
    page.get_by_role("group", name="Severity").get_by_label("Major", exact=True).check()
    page.get_by_label("Investigating officer").select_option(label="Ivy Investigator")
    page.get_by_role("button", name="Save the triage").click()
    expect(page.get_by_text(f"{reference} is triaged.")).to_be_visible()
    # The DPO is told, and the page says so.
    expect(page.get_by_text("Data Protection Officer told")).to_be_visible()
    assert_accessible(page)
    incident = Incident.objects.get(reference=reference)
    assert Routing.objects.get(incident=incident).dpo_told_on is not None
    assert [team.dpo.pk] in queued("incident_serious")
    sign_out(page)

    # The investigator starts, works the checklist and writes the outcome report.
    sign_in(page, site, "investigator@example.org")
    open_incident(page, reference, "Assigned to me")
    page.get_by_role("button", name="Start the investigation").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start the investigation").click()
    expect(page.get_by_text("The investigation has started.")).to_be_visible()
    # Every item the investigator may work (the disciplinary one is not theirs: no link).
    links = page.get_by_role("link", name="Update")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) == incident.checklist.count() - 1
    for number, href in enumerate(hrefs):
        page.goto(f"{site}{href}")
        if number == 0:
            assert_accessible(page)
            page.get_by_label("Done", exact=True).check()
            page.get_by_label("What was done").fill("Agreed the expected outcome with the head.")
        else:
            page.get_by_label("Not applicable").check()
            page.get_by_label("Why it does not apply").fill("Not needed for a system outage.")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Checklist updated")).to_be_visible()
    expect(page.get_by_text("1 of ")).to_be_visible()  # only the disciplinary item is left
    assert_accessible(page)
    page.get_by_role("button", name="Write the outcome report").click()
    assert_accessible(page)
    page.get_by_label("Summary").fill("The attendance system failed after an update.")
    page.get_by_label("Root cause").fill("An untested supplier update.")
    page.get_by_label("Containment and recovery").fill("Rolled back; registers re-entered from paper.")
    page.get_by_label("Lessons learned").fill("Test supplier updates before term time.")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_text("The outcome report is submitted for review.")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The incident manager records the disciplinary decision and accepts the report.
    sign_in(page, site, "manager@example.org")
    page.goto(f"{site}/incidents/{incident.uuid}/")
    page.get_by_role("link", name="Commence disciplinary action").click()
    assert_accessible(page)
    page.get_by_label("Decided").check()
    page.get_by_role("radio", name="No disciplinary action").check()
    page.get_by_label("Notes: the decision").fill("A supplier fault; nobody at fault here.")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Review the outcome report").click()
    assert_accessible(page)
    page.get_by_label("Accept the report").check()
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("The DPO has not reviewed the outcome report")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The DPO reviews it.
    sign_in(page, site, "dpo@example.org")
    open_incident(page, reference, "Major and critical")
    page.get_by_role("button", name="Review the outcome report").click()
    page.get_by_label("Accept the report").check()
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("Your review is recorded.")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The incident manager closes it.
    sign_in(page, site, "manager@example.org")
    page.goto(f"{site}/incidents/{incident.uuid}/")
    page.get_by_role("button", name="Close the incident").click()
    assert_accessible(page)
    page.get_by_role("button", name="Close the incident").click()
    expect(page.get_by_text("The incident is closed.")).to_be_visible()
    assert_accessible(page)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED
    sign_out(page)

    # The reporter sees it closed, in plain words.
    sign_in(page, site, "reporter@example.org")
    page.goto(f"{site}/my-reports/{incident.uuid}/")
    expect(page.get_by_text("The incident has been dealt with and closed.")).to_be_visible()
    assert_accessible(page)
