"""A reporter sends a photo with their report, then adds to it from their report page; the
manager finds both on the incident. axe-core on every page visited."""

import pytest
from playwright.sync_api import FilePayload, Page, expect

from evidence.models import Evidence
from incidents.models import Incident

from ..hostile_files import png
from .axe import assert_accessible
from .test_reporting_journey import schools, sign_in, sign_out  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("scanner")]


def test_a_reporter_sends_a_photo_then_adds_to_their_report(page: Page, site: str, schools) -> None:  # noqa: F811
    sign_in(page, site, "staff@example.org")
    page.get_by_label("What happened?").fill("The Year 6 register was left on the minibus.")
    page.get_by_label("Photos or documents").set_input_files(
        [FilePayload(name="minibus.png", mimeType="image/png", buffer=png())]
    )
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    page.get_by_role("link", name="See your report and where it stands").click()
    expect(page.get_by_role("heading", name="Files you sent")).to_be_visible()
    assert_accessible(page)

    # Nothing to add: the error says what to do, beside the field and in the summary.
    page.get_by_role("button", name="Send to the people handling your report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write what you want to add, or choose a file.")
    assert_accessible(page)
    page.get_by_label("What do you want to add?").fill("The driver has found a second copy.")
    page.get_by_label("Photos or documents").set_input_files(
        [FilePayload(name="second copy.png", mimeType="image/png", buffer=png())]
    )
    page.get_by_role("button", name="Send to the people handling your report").click()
    expect(page.get_by_text("What you added has been sent")).to_be_visible()
    expect(page.get_by_text("second copy.png")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    incident = Incident.objects.get()
    assert sorted(e.original_name for e in Evidence.objects.all()) == ["minibus.png", "second copy.png"]
    sign_in(page, site, "manager@example.org")
    page.goto(f"{site}/incidents/{incident.uuid}/")
    expect(page.get_by_text("The driver has found a second copy.").first).to_be_visible()
    expect(page.get_by_text("second copy.png").first).to_be_visible()
    assert_accessible(page)
