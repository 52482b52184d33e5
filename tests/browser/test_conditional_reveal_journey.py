"""GOV.UK's conditional reveal in a real browser: the awareness time appears when the handler
says a personal data breach is involved, and goes when they say it is not; with JavaScript
off both are on the page from the start. axe-core checks each state."""

import pytest
from playwright.sync_api import Browser, Page, expect

from ..factories import reported_incident
from ..lifecycle_helpers import make_team
from .axe import assert_accessible
from .test_reporting_journey import sign_in

pytestmark = pytest.mark.browser
AWARE = "When did the organisation become aware of the personal data breach? (needed for a personal data breach)"


@pytest.fixture
def team(transactional_db: None):
    return make_team()


def test_saying_yes_to_a_personal_data_breach_reveals_the_awareness_time(page: Page, site: str, team) -> None:
    incident = reported_incident(team.school, team.reporter)
    sign_in(page, site, "manager@example.org")
    page.goto(f"{site}/incidents/{incident.uuid}/triage/")
    question = page.get_by_role("group", name="Is it a personal data breach?")
    aware = page.get_by_label(AWARE)
    expect(aware).to_be_hidden()
    assert_accessible(page)

    yes = question.get_by_label("Yes", exact=True)
    expect(yes).to_have_attribute("aria-expanded", "false")
    yes.check()
    expect(aware).to_be_visible()
    expect(yes).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)

    question.get_by_label("No", exact=True).check()
    expect(aware).to_be_hidden()

    # Sent as a breach with no time: the server says what is missing, and the question is open.
    yes.check()
    page.get_by_role("group", name="What is it?").get_by_label("Incident", exact=True).check()
    page.get_by_role("group", name="Breach status").get_by_label("Confirmed breach").check()
    page.get_by_role("group", name="Severity").get_by_label("Minor", exact=True).check()
    page.get_by_role("button", name="Triage").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_label(AWARE)).to_be_visible()
    assert_accessible(page)


def test_without_javascript_the_awareness_time_is_always_there(page: Page, browser: Browser, site: str, team) -> None:
    incident = reported_incident(team.school, team.reporter)
    sign_in(page, site, "manager@example.org")  # signed in with JavaScript (axe needs it), then without
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 320, "height": 800}, storage_state=page.context.storage_state()
    )
    try:
        bare = context.new_page()
        bare.goto(f"{site}/incidents/{incident.uuid}/triage/")
        expect(bare.get_by_label(AWARE)).to_be_visible()
        question = bare.get_by_role("group", name="Is it a personal data breach?")
        expect(question.get_by_label("No", exact=True)).to_be_visible()
    finally:
        context.close()
