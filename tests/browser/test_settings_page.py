"""An admin finds the organisation's settings from the menu, reads each line, opens a setting and
comes back: axe-core clean and no sideways scrolling at 1280 and 320 px on every page."""

import re

import pytest
from playwright.sync_api import Page, expect

from ..lifecycle_helpers import make_team
from .test_reporting_journey import sign_in
from .test_role_journeys import Checker

pytestmark = pytest.mark.browser


@pytest.fixture
def team(transactional_db: None):
    return make_team()


def test_an_admin_reaches_every_setting_from_one_page_and_back(page: Page, site: str, team) -> None:
    check = Checker(page)
    sign_in(page, site, "admin@example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Organisation", exact=True).click()
    check("admin")
    page.get_by_role("link", name=f"Settings of {team.school.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    expect(page.get_by_text("None set here: the usual timescales are used.")).to_be_visible()
    check("admin")
    for link, title in [
        ("Change (timescales)", re.compile("Timescales")),
        ("Change (role titles)", re.compile("Role titles")),
        ("Set it up (public report page and poster)", re.compile("Public report page")),
    ]:
        page.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        check("admin")
        page.get_by_role("link", name="Back to settings").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    assert not check.problems, "\n".join(check.problems)
