"""Management reporting in a real browser: the DPO's dashboard, a filtered log, the XLSX
download; a governor downloads the pack. axe-core on every page."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from incidents.models import Incident, IncidentType
from insights.sample import generate
from organisations.models import Membership, Organisation, Role

from ..factories import OrganisationFactory, UserFactory
from .axe import assert_accessible
from .test_reporting_journey import SCREENSHOTS, sign_in, sign_out

pytestmark = pytest.mark.browser


@pytest.fixture
def service(transactional_db: None) -> dict:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    schools = [OrganisationFactory(name=f"{n} Primary School", parent=county) for n in ("Appleby", "Birchwood")]
    types = [
        IncidentType.objects.get_or_create(organisation=None, name=n)[0] for n in ("Phishing", "Lost or stolen device")
    ] + [None]
    generate(schools, types, 150, now=timezone.now())
    dpo = UserFactory(email="dpo@example.org")
    Membership.objects.create(user=dpo, organisation=county, role=Role.DPO)
    governor = UserFactory(email="governor@example.org")
    Membership.objects.create(user=governor, organisation=schools[0], role=Role.GOVERNANCE)
    return {"county": county, "schools": schools}


def test_dpo_dashboard_to_filtered_log_to_xlsx_and_governor_pack(page: Page, site: str, service: dict) -> None:
    sign_in(page, site, "dpo@example.org")
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incident dashboard")
    expect(page.get_by_role("img", name="Open incidents by severity")).to_be_visible()
    assert_accessible(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "reports-dashboard.png", full_page=True)

    major = Incident.objects.filter(status__in=Incident.OPEN_STATUSES, severity="major").count()
    page.locator('table[data-chart="severity"]').get_by_role("link", name="incidents: Major").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring log")
    expect(page.locator('[data-figure="log_count"]')).to_have_text(str(major))
    expect(page.get_by_role("combobox", name="Severity")).to_have_value("major")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel spreadsheet (XLSX)").click()
    path = download_info.value.path()
    rows = list(load_workbook(io.BytesIO(path.read_bytes()), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) - 1 == major
    severity = rows[0].index("Severity")
    assert all(row[severity] == "Major" for row in rows[1:])
    page.screenshot(path=SCREENSHOTS / "reports-log.png", full_page=True)

    # The six-month review, started on demand, with an action decided for a flagged type.
    page.get_by_role("link", name="Six-month type reviews").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start a review now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Six-month type review to")
    assert_accessible(page)
    page.get_by_label("What will be done").fill("Phishing training for all staff")
    page.get_by_label("Owner").select_option(index=1)
    page.get_by_label("Due by").fill("31/12/2030")
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_role("cell", name="Phishing training for all staff")).to_be_visible()
    page.get_by_label("What the review found and decided").fill("Phishing is not falling: training booked.")
    page.get_by_role("button", name="Record the review as done").click()
    expect(page.get_by_test_id("review-status")).to_contain_text("Reviewed")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, site, "governor@example.org")
    page.get_by_role("link", name="Reports", exact=True).click()
    assert_accessible(page)
    expect(page.get_by_role("link", name="Monitoring log")).to_have_count(0)
    page.get_by_role("link", name="Governor and board pack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Governor and board pack")
    assert_accessible(page)
    with page.expect_download() as pack_info:
        page.get_by_role("button", name="Download the pack (PDF)").click()
    assert pack_info.value.path().read_bytes().startswith(b"%PDF")
    page.get_by_role("link", name="Six-month type reviews").click()
    assert_accessible(page)
