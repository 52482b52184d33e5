"""axe-core on the lifecycle pages the main journey does not visit: reclassify, assign (critical),
ICO decision, notes, messages, not an incident, reopen, and the admin's settings."""

import pytest
from playwright.sync_api import Page, expect

from incidents import lifecycle
from incidents.models import Incident

from ..factories import reported_incident
from ..lifecycle_helpers import assess_breach, aware_now, classification, make_team, to_closed
from ..test_ico_decision_once import SEEN_BY_A_PARENT
from .axe import assert_accessible as axe_check
from .test_reporting_journey import sign_in, sign_out

pytestmark = pytest.mark.browser


def assert_accessible(page: Page) -> None:
    page.wait_for_load_state()
    axe_check(page)


@pytest.fixture
def team(transactional_db: None):
    return make_team()


def test_the_other_lifecycle_pages_work_and_are_accessible(page: Page, site: str, team) -> None:
    critical = reported_incident(team.school, team.reporter)
    lifecycle.triage(
        critical,
        by=team.manager,
        **classification("critical", personal_data_breach="yes", aware_on=aware_now()),
    )
    assess_breach(critical, team.manager, SEEN_BY_A_PARENT)  # the engine says: report to the ICO
    fresh = reported_incident(team.school, team.reporter)
    closed = to_closed(team)

    # The SIRO delegates the critical investigation, with a reason.
    sign_in(page, site, "siro@example.org")
    page.goto(f"{site}/incidents/{critical.uuid}/")
    page.get_by_role("button", name="Assign the investigation").click()
    assert_accessible(page)
    page.get_by_label("Investigating officer").select_option(label="Ivy Investigator")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why you are delegating")
    assert_accessible(page)
    page.get_by_label("Reason").fill("Ivy ran the last two investigations of this system.")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("The SIRO delegated the investigation")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The DPO reclassifies, records the ICO decision, notes and messages.
    sign_in(page, site, "dpo@example.org")
    page.goto(f"{site}/incidents/{critical.uuid}/")
    page.get_by_role("button", name="Reclassify").click()
    assert_accessible(page)
    page.get_by_role("group", name="Severity").get_by_label("Major", exact=True).check()
    page.get_by_label("Why is the classification changing?").fill("Fewer pupils affected than first thought.")
    page.get_by_role("button", name="Save the new classification").click()
    expect(page.get_by_text("Earlier classifications (1)")).to_be_visible()
    assert_accessible(page)
    # The ICO decision is made on the breach record, which the incident page links to.
    page.get_by_role("link", name="Record the ICO decision").click()
    assert_accessible(page)
    page.get_by_label("Yes, agree").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("decision")).to_contain_text("Report to the ICO")
    page.goto(f"{site}/incidents/{critical.uuid}/")
    page.get_by_role("link", name="Add an internal note").click()
    assert_accessible(page)
    page.get_by_label("Internal note").fill("Spoke to the supplier's support desk.")
    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_text("Spoke to the supplier's support desk.")).to_be_visible()
    page.get_by_role("link", name="Message the reporter").click()
    assert_accessible(page)
    page.get_by_label("Message to the reporter").fill("Thank you. Which room was the printer in?")
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_text("Which room was the printer in?")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{site}/incidents/{closed.uuid}/")
    page.get_by_role("button", name="Reopen the incident").click()
    assert_accessible(page)
    page.get_by_label("Reason").fill("The parent says a second list arrived.")
    page.get_by_role("button", name="Reopen").click()
    expect(page.get_by_text("The incident is reopened")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The incident manager closes a report as not an incident.
    sign_in(page, site, "manager@example.org")
    page.goto(f"{site}/incidents/{fresh.uuid}/")
    page.get_by_role("button", name="Close as not an incident").click()
    assert_accessible(page)
    page.get_by_label("Reason").fill("A test message from IT.")
    page.get_by_role("button", name="Close as not an incident").click()
    expect(page.get_by_text("The report is closed as not an incident.")).to_be_visible()
    assert Incident.objects.get(pk=fresh.pk).status == Incident.Status.CLOSED_NOT_INCIDENT
    sign_out(page)

    # The reporter reads the message on their report page.
    sign_in(page, site, "reporter@example.org")
    page.goto(f"{site}/my-reports/{critical.uuid}/")
    expect(page.get_by_text("Which room was the printer in?")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The admin's investigation settings.
    sign_in(page, site, "admin@example.org")
    page.goto(f"{site}/incidents/settings/{team.school.uuid}/")
    assert_accessible(page)
    page.get_by_label("New checklist item").fill("Tell the trust's data team")
    page.get_by_role("button", name="Add the item").click()
    expect(page.get_by_text("The checklist item is added.")).to_be_visible()
    assert_accessible(page)
