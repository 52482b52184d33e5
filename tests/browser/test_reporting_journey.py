"""The foundation's journey in a real browser, with axe-core on every page visited."""

import time
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from playwright.sync_api import Page, expect

from accounts.models import User
from demo.signin import current_code
from incidents.models import Incident
from organisations.models import Membership, Organisation, Role
from organisations.powers import needs_second_factor

from ..conftest import PASSWORD
from ..factories import OrganisationFactory, UserFactory
from ..mfa import add_totp, totp_code
from .axe import assert_accessible

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def sign_in(page: Page, site: str, email: str, password: str = PASSWORD) -> None:
    """Sign in with the password and, for people who need one, an authenticator app's code.

    A person who must pass a second factor is given an authenticator app (tests/mfa.py's
    secret) if they have none, and the helper types its current code, as they would.
    """
    user = User.objects.get(email=email)
    needs_code = needs_second_factor(user)
    if needs_code and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        add_totp(user)
    page.goto(f"{site}/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if needs_code:
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
        # A code lives for one 30-second step and the server allows no drift: near the end of a
        # step, wait for the next rather than type a code that expires on its way.
        if 30 - time.time() % 30 < 3:
            time.sleep(30 - time.time() % 30 + 0.2)
        code = current_code(user) or totp_code()  # the demo's people have the demo's app
        # A code works once; a test that signs the same person in twice within 30 seconds
        # forgets the earlier use rather than wait for the next code.
        cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")
        page.get_by_label("Security code").fill(code)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(lambda url: "/accounts/2fa/" not in url)


# The pages under a top menu item (incidentdesk/navigation.py): shown in the second row once
# the item is open.
UNDER = {
    "All incidents": "Incidents",
    "Triage queue": "Incidents",
    "Assigned to me": "Incidents",
    "Major and critical": "Incidents",
    "ICO clocks": "Incidents",
    "All actions": "Actions",
    "My actions": "Actions",
    "My reports": "Report an incident",
}


def via_menu(page: Page, name: str) -> None:
    """Open a page of the menu as a person would: its top item first when it sits under one."""
    link = page.get_by_role("link", name=name, exact=True)
    if not link.count() and name in UNDER:
        page.get_by_role("navigation", name="Menu").get_by_role("link", name=UNDER[name], exact=True).click()
        link = page.get_by_role("link", name=name, exact=True)
        if not link.count():  # the top item itself was the page (one page under it)
            return
    link.first.click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


@pytest.fixture
def schools(transactional_db: None) -> dict:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    school_a = OrganisationFactory(name="Appleby Primary School", parent=county)
    school_b = OrganisationFactory(name="Birchwood Primary School", parent=county)
    people = {}
    for key, org, role in [
        ("staff", school_a, Role.REPORTER),
        ("manager", school_a, Role.INCIDENT_MANAGER),
        ("sibling", school_b, Role.INCIDENT_MANAGER),
    ]:
        people[key] = UserFactory(email=f"{key}@example.org")
        Membership.objects.create(user=people[key], organisation=org, role=role)
    return people


def test_staff_report_is_found_by_their_manager_and_not_by_a_sibling_school(page: Page, site: str, schools) -> None:
    sign_in(page, site, "staff@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report an incident")
    assert_accessible(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "report-page.png", full_page=True)

    # Sending with nothing shows an accessible error.
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("What happened?").fill("I sent the Year 5 class list to a parent by mistake.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    reference = page.get_by_test_id("reference").inner_text()
    incident = Incident.objects.get()
    assert reference == incident.reference
    assert_accessible(page)
    page.get_by_role("link", name="See your report and where it stands").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    assert_accessible(page)
    via_menu(page, "My reports")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, site, "manager@example.org")
    via_menu(page, "All incidents")
    assert_accessible(page)
    page.get_by_label("Search").fill(reference)
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)
    expect(page.get_by_text("I sent the Year 5 class list")).to_be_visible()
    expect(page.get_by_role("heading", name="Reported", level=3)).to_be_visible()
    assert_accessible(page)
    detail_url = page.url
    sign_out(page)

    sign_in(page, site, "sibling@example.org")
    response = page.goto(detail_url)
    assert response is not None and response.status == 404
    assert_accessible(page)
    page.goto(f"{site}/incidents/")
    expect(page.get_by_role("link", name=reference)).to_have_count(0)
