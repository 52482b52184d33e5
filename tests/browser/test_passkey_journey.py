"""Passkeys ("Hardening", sign-in): a handler adds a passkey from the two-step verification page
and then signs in with it instead of a code. Chromium's virtual authenticator (DevTools
protocol) stands in for a security key or a phone's screen lock; the server side is allauth's
real WebAuthn checks."""

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from playwright.sync_api import Page, expect

from accounts.models import User
from organisations.models import Membership, Role

from ..conftest import PASSWORD
from ..factories import OrganisationFactory, UserFactory
from ..mfa import totp_code
from .axe import assert_accessible
from .test_reporting_journey import sign_in, sign_out

pytestmark = pytest.mark.browser


@pytest.fixture
def handler(transactional_db: None, settings) -> User:
    # The live server is plain http on localhost; allauth refuses that origin unless told.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    school = OrganisationFactory(name="Appleby Primary School")
    user = UserFactory(email="sbm@appleby.example.org", full_name="Sam Business", password=PASSWORD)
    Membership.objects.create(user=user, organisation=school, role=Role.INCIDENT_MANAGER)
    return user


def test_a_handler_adds_a_passkey_and_signs_in_with_it(page: Page, site: str, handler: User) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_in(page, site, handler.email)
    page.goto(f"{site}/accounts/2fa/")
    expect(page.get_by_role("heading", name="Passkeys")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add a passkey").click()
    if "reauthenticate" in page.url:  # allauth asks again before a new authenticator
        if page.get_by_label("Password").count():
            page.get_by_label("Password").fill(PASSWORD)
        else:
            cache.delete(f"allauth.mfa.totp.used?user={handler.pk}&code={totp_code()}")
            page.get_by_label("Security code").fill(totp_code())
        page.get_by_role("button", name="Continue").click()
    page.get_by_label("Name").fill("Office laptop")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add" not in url)
    assert Authenticator.objects.filter(user=handler, type=Authenticator.Type.WEBAUTHN).count() == 1
    sign_out(page)
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Email").fill(handler.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    assert_accessible(page)
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
