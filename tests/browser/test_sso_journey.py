""" "Sign in with Microsoft" in a real browser through the local OpenID Connect provider: a
member of staff's first sign-in lands on the report form as a reporter of the right school."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from lib import sealed
from organisations.models import IdentityProvider, Membership, Organisation, Role, SignInDomain

from ..factories import OrganisationFactory
from ..oidc import Provider
from .axe import assert_accessible

pytestmark = pytest.mark.browser


def test_first_sign_in_with_microsoft_lands_on_the_report_form(
    page: Page, site: str, oidc_provider: Provider, transactional_db: None
) -> None:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    brookside = OrganisationFactory(name="Brookside Primary School", parent=county)
    OrganisationFactory(name="Oakfield Primary School", parent=county)
    SignInDomain.objects.create(organisation=brookside, domain="brookside.sch.uk", entra_tenant_id="tenant-b")
    IdentityProvider.objects.create(
        organisation=county,
        kind="microsoft",
        client_id="incident-desk-testshire",
        secret_encrypted=sealed.seal("secret"),
        server_url=oidc_provider.url,
    )
    email = "nadia.fenwick@brookside.sch.uk"
    oidc_provider.set_person(email, email=email, email_verified=True, tid="tenant-b", name="Nadia Fenwick")

    page.goto(f"{site}/accounts/login/")
    page.get_by_role("link", name="Sign in with Microsoft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in with Microsoft")
    assert_accessible(page)
    page.get_by_label("Your work email address").fill(email)
    page.get_by_role("button", name="Continue to Microsoft").click()

    page.wait_for_url(f"{oidc_provider.url}/**")  # the provider's own sign-in page
    page.get_by_label("Subject").fill(email)
    page.get_by_role("button", name="Authorize", exact=True).click()

    page.wait_for_url(f"{site}/report/**")
    assert_accessible(page)
    user = User.objects.get(email=email)
    assert list(Membership.objects.filter(user=user).values_list("organisation__name", "role")) == [
        ("Brookside Primary School", Role.REPORTER)
    ]
    expect(page.locator("body")).to_contain_text("Brookside Primary School")
