"""A personal data breach in a real browser: assess, decide, ICO draft, submission, letters; axe on every page."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from incidents.models import Incident
from organisations.models import Contact, Membership, Organisation, Role

from ..factories import OrganisationFactory, UserFactory, reported_incident
from .axe import assert_accessible
from .test_reporting_journey import sign_in, sign_out

pytestmark = pytest.mark.browser


@pytest.fixture
def triaged_breach(transactional_db: None) -> Incident:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    school = OrganisationFactory(name="Appleby Primary School", parent=county)
    for email, org, role in [
        ("manager@example.org", school, Role.INCIDENT_MANAGER),
        ("dpo@example.org", county, Role.DPO),
    ]:
        Membership.objects.create(user=UserFactory(email=email), organisation=org, role=role)
    Contact.objects.create(
        organisation=county, kind=Contact.Kind.DPO, name="Testshire DPO desk", email="dpo@example.org"
    )
    incident = reported_incident(
        school,
        None,
        description="The Year 5 SEN register was emailed to a parent by mistake.",
        personal_data="yes",
        people_affected=12,
    )
    incident.personal_data_breach = Incident.PersonalDataBreach.YES
    incident.breach_types = ["confidentiality"]
    incident.aware_on = timezone.now() - timedelta(hours=3)
    incident.save()
    return incident


def check(page: Page, name: str, value: str) -> None:
    page.locator(f'input[name="{name}"][value="{value}"]').check()


def test_assess_decide_download_report_record_submission_and_letters(page: Page, site: str, triaged_breach) -> None:
    incident = triaged_breach
    sign_in(page, site, "manager@example.org")
    page.goto(f"{site}/incidents/{incident.uuid}/")
    panel = page.get_by_role("region", name="Personal data breach")
    expect(panel).to_contain_text("left")
    assert_accessible(page)
    panel.get_by_role("link", name="Assess the breach").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assess the personal data breach")
    assert_accessible(page)

    for value in ("basic_identifiers", "sen"):
        check(page, "data_categories", value)
    check(page, "data_subjects", "pupils")
    check(page, "children_involved", "yes")
    page.get_by_label("Roughly how many people?").fill("12")
    check(page, "recipient", "known_individual")
    for name in ("encrypted_key_safe", "recovered_or_deleted", "malicious"):
        check(page, name, "no")
    check(page, "contained", "yes")
    check(page, "consequences", "distress")
    page.get_by_role("button", name="Assess the breach").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Breach assessment 1")
    expect(page.get_by_test_id("outcome")).to_contain_text("Report it to the ICO within 72 hours")
    expect(page.get_by_test_id("reasons")).to_contain_text("special educational needs")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, site, "dpo@example.org")
    page.goto(f"{site}/breaches/{incident.uuid}/")
    assert_accessible(page)
    page.get_by_role("link", name="Record the ICO decision").click()
    assert_accessible(page)
    page.get_by_role("button", name="Record the decision").click()  # nothing chosen: an accessible error
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    check(page, "agrees", "yes")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("decision")).to_contain_text("Report to the ICO")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the ICO report draft (PDF)").click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    for section in ("About the breach", "The personal data and the people", "Likely consequences", "Measures taken"):
        assert section in text
    assert "The Year 5 SEN register was emailed to a parent by mistake." in text

    page.get_by_role("link", name="Record a report made to the ICO").click()
    assert_accessible(page)
    page.get_by_label("When was the report submitted to the ICO?").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("ICO case reference").fill("IC-424242")
    page.get_by_role("button", name="Record the report").click()
    expect(page.get_by_test_id("clock")).to_contain_text("Reported to the ICO")
    expect(page.get_by_role("cell", name="IC-424242")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Word letter for parents and carers").click()
    letter = "\n".join(p.text for p in Document(str(download.value.path())).paragraphs)
    assert "What you can do" in letter and "Testshire DPO desk" in letter

    page.get_by_role("link", name="Record that people were told").click()
    assert_accessible(page)
    page.get_by_label("When were they told?").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    check(page, "audience", "parents")
    check(page, "method", "letter")
    page.get_by_label("How many people were told?").fill("12")
    page.get_by_role("button", name="Record it").click()
    expect(page.get_by_role("table", name="People told")).to_contain_text("Parents and carers")
    assert_accessible(page)

    page.goto(f"{site}/deadlines/ico-clocks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Running ICO clocks")
    assert_accessible(page)
    incident.refresh_from_db()
    assert incident.ico_reference == "IC-424242"
    assert incident.individuals_told_on is not None
