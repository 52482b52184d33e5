"""Poster -> public page -> anonymous report with a photo -> receipt -> the incident
manager replies -> the reporter reads the reply with the receipt and answers.

axe-core on every public page. The incident manager's reply is written as the lifecycle
work's staff page writes it (a ReporterMessage and its event); their page is theirs to test.
"""

import io
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from anonymous.services import page_for
from audit.log import record
from evidence.models import Evidence
from incidents.models import Incident, ReporterMessage
from organisations.models import Membership, Organisation, Role

from ..anonymous_files import jpeg_with_gps
from ..factories import OrganisationFactory, UserFactory
from .axe import assert_accessible
from .test_reporting_journey import sign_in

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def school(transactional_db: None):  # type: ignore[no-untyped-def]
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    school = OrganisationFactory(name="Appleby Primary School", parent=county)
    manager = UserFactory(email="manager@example.org", full_name="Mina Manager")
    Membership.objects.create(user=manager, organisation=school, role=Role.INCIDENT_MANAGER)
    yield {"school": school, "manager": manager, "page": page_for(school)}


def test_anonymous_report_and_follow_up_with_the_receipt(page: Page, site: str, school, tmp_path) -> None:
    poster = page.request.get(f"{site}/r/{school['page'].slug}/poster.pdf")
    assert poster.ok and poster.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(poster.body())).pages[0].extract_text()
    address = next(word for word in text.split() if word.startswith("http"))
    assert address == f"{site}/r/{school['page'].slug}/"

    page.goto(address)
    expect(page.get_by_role("heading", level=1)).to_have_text("Report an information security incident")
    expect(page.get_by_test_id("assurance")).to_contain_text("in good faith")
    assert_accessible(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "anonymous-report-page.png", full_page=True)
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.get_by_label("What happened?").fill("A box of pupil files was left in the corridor overnight.")
    page.get_by_label("Photos or documents").set_input_files(str(photo))
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Report sent")).to_be_visible()
    receipt = page.get_by_test_id("receipt").inner_text()
    assert len(receipt.replace(" ", "")) == 40
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS / "anonymous-receipt.png", full_page=True)
    assert page.context.cookies() == []

    incident = Incident.objects.get()
    assert incident.reporter_anonymous and incident.reported_by is None
    assert Evidence.objects.get(incident=incident).source == Evidence.Source.ANONYMOUS_REPORTER
    with transaction.atomic():
        ReporterMessage.objects.create(
            incident=incident,
            direction=ReporterMessage.Direction.TO_REPORTER,
            body="Thank you. Which corridor was it?",
            author=school["manager"],
            sent_on=timezone.now(),
        )
        record(
            organisation_id=incident.organisation_id,
            action="reporter_message.sent",
            actor=school["manager"],
            record=incident,
        )

    page.get_by_role("link", name="the receipt page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow your anonymous report")
    assert_accessible(page)
    page.get_by_label("Your receipt").fill("00000 00000")
    page.get_by_role("button", name="Open my report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("could not find a report")
    assert_accessible(page)
    page.get_by_label("Your receipt").fill(receipt)
    page.get_by_role("button", name="Open my report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your anonymous report")
    expect(page.get_by_text("Thank you. Which corridor was it?")).to_be_visible()
    expect(page.get_by_test_id("status")).to_contain_text("Reported")
    assert_accessible(page)
    page.get_by_label("Your message or more information").fill("The one by the library.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Sent. The people handling your report have been told.")).to_be_visible()
    expect(page.get_by_text("The one by the library.")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS / "anonymous-follow-up.png", full_page=True)
    assert page.context.cookies() == []
    reply = ReporterMessage.objects.get(direction=ReporterMessage.Direction.FROM_REPORTER)
    assert reply.author is None and reply.body == "The one by the library."

    # The manager sees the report as anonymous, with its times to the day.
    sign_in(page, site, "manager@example.org")
    page.goto(f"{site}/incidents/{incident.uuid}/")
    expect(page.get_by_role("heading", name="Anonymous reporter")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS / "anonymous-incident-for-staff.png", full_page=True)
