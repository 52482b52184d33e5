"""A county admin brings schools and people in from files (issue 14), in Chromium.

Each page is checked at 1280 and at 320 px wide: axe-core finds no WCAG 2.2 A/AA violation,
and at 320 the page does not scroll sideways (WCAG 1.4.10 reflow; a wide table may scroll
inside its own labelled region, never the page).
"""

from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from organisations.models import Membership, Organisation, Role, SignInDomain

from ..factories import OrganisationFactory, UserFactory
from .axe import assert_accessible
from .test_reporting_journey import sign_in

pytestmark = pytest.mark.browser

WIDE: ViewportSize = {"width": 1280, "height": 900}
NARROW: ViewportSize = {"width": 320, "height": 800}


def check(page: Page) -> None:
    for size in (WIDE, NARROW):
        page.set_viewport_size(size)
        assert_accessible(page)
    wide, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= window, f"{page.url} scrolls sideways at {window} px ({wide} px wide)"
    page.set_viewport_size(WIDE)


def test_county_admin_imports_schools_and_people(page: Page, site: str, transactional_db: None, tmp_path: Path) -> None:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    admin = UserFactory(email="county-admin@example.org")
    Membership.objects.create(user=admin, organisation=county, role=Role.ADMIN)
    sign_in(page, site, "county-admin@example.org")

    page.goto(f"{site}/organisations/{county.uuid}/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(page.get_by_role("link", name="Download people and roles (CSV)")).to_be_visible()
    expect(page.get_by_role("link", name="Download people and roles (XLSX)")).to_be_visible()
    check(page)

    schools = tmp_path / "schools.csv"
    schools.write_text(
        "Name,Kind,Parent,URN,Email domains,Contacts\n"
        "Oakfield Trust,Trust,,,oakfield.org.uk,\n"
        "Brookside Primary School With A Long Name,School,Oakfield Trust,100001,brookside.sch.uk,"
        "Headteacher: Jo Bloggs <head@brookside.sch.uk>\n"
    )
    page.get_by_role("link", name="Import organisations from a file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import organisations from a file")
    check(page)
    page.get_by_label("File (XLSX or CSV)").set_input_files(schools)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("All 2 rows can be imported")).to_be_visible()
    page.get_by_label("File (XLSX or CSV)").set_input_files(schools)
    page.get_by_role("button", name="Import the file").click()
    expect(page.get_by_role("region", name="Public report pages and posters")).to_be_visible()
    check(page)
    assert set(SignInDomain.objects.values_list("domain", flat=True)) == {"oakfield.org.uk", "brookside.sch.uk"}

    people = tmp_path / "people.csv"
    people.write_text(
        "Name,Email,Organisation,Role,Leaver\n"
        "Priya Shah,priya@example.org,100001,Reporter,\n"
        "Tom Green,not-an-address,100001,Incident manager,\n"
        "Ann Lee,ann@example.org,Nowhere School,Reporter,\n"
    )
    page.goto(f"{site}/organisations/{county.uuid}/people/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import people from a file")
    check(page)
    page.get_by_label("File (XLSX or CSV)").set_input_files(people)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("region", name="Rows that would fail")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("nothing was imported")
    check(page)
