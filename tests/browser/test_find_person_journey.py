"""Issue 17's journey: a DPO finds a pupil's name across two schools' incidents and downloads
the subject access bundle; both pages pass axe (WCAG 2.2 AA)."""

import io
import zipfile

import pytest
from playwright.sync_api import Page, expect

from incidents import lifecycle
from organisations.models import Membership, Organisation, Role

from ..factories import OrganisationFactory, UserFactory, reported_incident
from .axe import assert_accessible
from .test_reporting_journey import sign_in

pytestmark = pytest.mark.browser

PUPIL = "Amara Lindqvist"


@pytest.fixture
def two_schools(transactional_db: None) -> dict:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    appleby = OrganisationFactory(name="Appleby Primary School", parent=county)
    brook = OrganisationFactory(name="Brook Academy", parent=county)
    dpo = UserFactory(email="dpo@example.org", full_name="Dina DPO")
    manager = UserFactory(email="manager@example.org", full_name="Mina Manager")
    Membership.objects.create(user=dpo, organisation=county, role=Role.DPO)
    Membership.objects.create(user=manager, organisation=appleby, role=Role.INCIDENT_MANAGER)
    first = reported_incident(appleby, None, description="A medical form went home with another child.")
    lifecycle.add_note(first, by=manager, body=f"The form was {PUPIL}'s; Mrs Patel returned it.")
    second = reported_incident(brook, None, description=f"A photo of {PUPIL} was posted on the class page.")
    return {"first": first, "second": second}


def test_a_dpo_finds_a_pupil_across_two_incidents_and_downloads_the_bundle(
    page: Page, site: str, two_schools: dict
) -> None:
    first, second = two_schools["first"], two_schools["second"]
    sign_in(page, site, "dpo@example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Incidents", exact=True).click()
    page.get_by_role("link", name="Find a person", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a person")
    assert_accessible(page)
    page.get_by_label("Name, email address or other identifier").fill(PUPIL)
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name="Found in 2 places in 2 incidents")).to_be_visible()
    expect(page.get_by_role("link", name=first.reference)).to_be_visible()
    expect(page.get_by_role("link", name=second.reference)).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download the subject access bundle (ZIP)").click()
    download = waiting.value
    assert download.suggested_filename.startswith("subject-access-amara-lindqvist-")
    archive = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    assert archive.namelist() == ["bundle.pdf"]
