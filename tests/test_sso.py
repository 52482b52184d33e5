"""Single sign-on through a real OpenID Connect provider on 127.0.0.1 (tests/oidc.py):
discovery, the authorisation code with PKCE, the ID token's signature, nonce, audience and
expiry, the state, `email_verified`, the tenant, the organisation's domains, `amr` for the
second factor. Every refusal shows a clear page and creates nothing."""

import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
import time_machine
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import User
from audit.models import Event
from lib import sealed
from organisations.models import IdentityProvider, Membership, Role, SignInDomain
from organisations.sso_views import VerifiedAdapter

from .conftest import Cast
from .mfa import add_totp, totp_code
from .oidc import Provider

TENANT = "8f0c3c2e-brookside-tenant"
CLIENT_ID = "incident-desk-brookside"


@pytest.fixture
def brookside(cast: Cast, oidc_provider: Provider) -> IdentityProvider:
    """School A owns brookside.sch.uk (Entra tenant TENANT) and signs in through the county's
    Microsoft client, which points at the local provider."""
    SignInDomain.objects.create(organisation=cast.school_a, domain="brookside.sch.uk", entra_tenant_id=TENANT)
    return IdentityProvider.objects.create(
        organisation=cast.county,
        kind="microsoft",
        client_id=CLIENT_ID,
        secret_encrypted=sealed.seal("s3cret-from-entra"),
        server_url=oidc_provider.url,
    )


def start(client: Client, email: str) -> str:
    response = client.post(reverse("sso_sign_in", args=["microsoft"]), {"email": email})
    assert response.status_code == 302, response.content[:300]
    return str(response["Location"])


def sign_in(client: Client, provider: Provider, email: str, change: dict[str, str] | None = None, **claims: Any) -> Any:
    provider.set_person(
        email, **({"email": email, "email_verified": True, "tid": TENANT, "name": "Sam Patel"} | claims)
    )
    back = provider.approve(start(client, email), email, **(change or {}))
    return client.get(back)


def nothing_created(before_users: int) -> None:
    assert User.objects.count() == before_users
    assert not SocialAccount.objects.exists()
    assert not Event.objects.filter(action="membership.joined_by_sso").exists()


def test_first_sign_in_joins_the_school_as_a_reporter_and_lands_on_the_report_form(
    brookside: IdentityProvider,
    oidc_provider: Provider,
    cast: Cast,
) -> None:
    client = Client()
    authorize = start(client, "sam.patel@brookside.sch.uk")
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(f"{oidc_provider.url}/")  # the authorisation endpoint from discovery
    assert query["client_id"] == [CLIENT_ID] and query["code_challenge_method"] == ["S256"]
    assert query["nonce"] and query["state"] and query["login_hint"] == ["sam.patel@brookside.sch.uk"]

    oidc_provider.set_person(
        "sam", email="sam.patel@brookside.sch.uk", email_verified=True, tid=TENANT, name="Sam Patel"
    )
    response = client.get(oidc_provider.approve(authorize, "sam"), follow=True)

    user = User.objects.get(email="sam.patel@brookside.sch.uk")
    assert user.full_name == "Sam Patel"
    assert list(Membership.objects.filter(user=user).values_list("organisation", "role")) == [
        (cast.school_a.pk, Role.REPORTER)
    ]
    assert response.redirect_chain[-1][0] == reverse("intake:report")
    assert "Report" in response.content.decode()
    event = Event.objects.get(action="membership.joined_by_sso")
    assert event.organisation_id == cast.school_a.pk and (event.after or {})["domain"] == "brookside.sch.uk"

    # The second sign-in is the same person: no second account, membership or event.
    client.logout()
    sign_in(Client(), oidc_provider, "sam.patel@brookside.sch.uk")
    assert User.objects.filter(email="sam.patel@brookside.sch.uk").count() == 1
    assert Membership.objects.filter(user=user).count() == 1
    assert Event.objects.filter(action="membership.joined_by_sso").count() == 1


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"email_verified": False}, "unverified"),
        ({"tid": "another-tenant"}, "wrong_tenant"),
    ],
)
def test_an_unverified_address_or_another_tenant_is_refused(
    brookside: IdentityProvider,
    oidc_provider: Provider,
    claims: dict,
    reason: str,
) -> None:
    before = User.objects.count()
    response = sign_in(Client(), oidc_provider, "sam.patel@brookside.sch.uk", **claims)
    assert response.status_code == 403
    assert f'data-reason="{reason}"' in response.content.decode()
    assert "Whom to ask" in response.content.decode()
    nothing_created(before)


def test_an_address_no_organisation_owns_is_refused_at_the_first_step(brookside: IdentityProvider) -> None:
    before = User.objects.count()
    response = Client().post(reverse("sso_sign_in", args=["microsoft"]), {"email": "someone@elsewhere.sch.uk"})
    assert response.status_code == 403
    assert 'data-reason="no_organisation"' in response.content.decode()
    nothing_created(before)


def test_a_provider_answering_for_a_domain_no_organisation_owns_is_refused(
    brookside: IdentityProvider,
    oidc_provider: Provider,
) -> None:
    """The provider vouches for an address outside every claimed domain (a guest account)."""
    before = User.objects.count()
    client = Client()
    authorize = start(client, "sam.patel@brookside.sch.uk")
    oidc_provider.set_person("guest", email="guest@gmail.example", email_verified=True, tid=TENANT)
    response = client.get(oidc_provider.approve(authorize, "guest"))
    assert response.status_code == 403 and 'data-reason="no_organisation"' in response.content.decode()
    nothing_created(before)


def test_a_domain_claimed_by_another_organisation_is_refused(
    brookside: IdentityProvider,
    oidc_provider: Provider,
    cast: Cast,
) -> None:
    """School B's own provider cannot sign people into school A's domain."""
    own = IdentityProvider.objects.create(
        organisation=cast.school_b, kind="microsoft", client_id="school-b", server_url=oidc_provider.url
    )
    SignInDomain.objects.create(organisation=cast.school_b, domain="oakfield.sch.uk", entra_tenant_id=TENANT)
    before = User.objects.count()
    client = Client()
    authorize = start(client, "someone@oakfield.sch.uk")
    assert f"/accounts/oidc/{own.provider_id}/" in parse_qs(urlsplit(authorize).query)["redirect_uri"][0]
    oidc_provider.set_person("intruder", email="head@brookside.sch.uk", email_verified=True, tid=TENANT)
    response = client.get(oidc_provider.approve(authorize, "intruder"))
    assert response.status_code == 403 and 'data-reason="wrong_provider"' in response.content.decode()
    nothing_created(before)


@pytest.mark.parametrize(
    "change",
    [
        {"nonce": "a-nonce-this-sign-in-never-sent"},
        {"client_id": "another-application"},  # the ID token is for another audience
        {"code_challenge": "A" * 43},  # PKCE: the verifier sent with the code no longer matches
    ],
    ids=["nonce", "audience", "pkce"],
)
def test_a_tampered_authorisation_request_is_refused(
    brookside: IdentityProvider,
    oidc_provider: Provider,
    change: dict[str, str],
) -> None:
    before = User.objects.count()
    response = sign_in(Client(), oidc_provider, "sam.patel@brookside.sch.uk", change=change)
    assert response.status_code == 401
    assert 'data-reason="provider"' in response.content.decode()
    nothing_created(before)


def test_an_expired_id_token_is_refused(brookside: IdentityProvider, oidc_provider: Provider) -> None:
    """The provider's tokens live an hour; this process's clock is two hours on."""
    before = User.objects.count()
    client = Client()
    oidc_provider.set_person("sam", email="sam.patel@brookside.sch.uk", email_verified=True, tid=TENANT)
    back = oidc_provider.approve(start(client, "sam.patel@brookside.sch.uk"), "sam")
    with time_machine.travel(timedelta(hours=2)):
        response = client.get(back)
    assert 'data-reason="provider"' in response.content.decode()
    nothing_created(before)


def test_a_replayed_state_is_refused(brookside: IdentityProvider, oidc_provider: Provider) -> None:
    client = Client()
    oidc_provider.set_person("sam", email="sam.patel@brookside.sch.uk", email_verified=True, tid=TENANT)
    back = oidc_provider.approve(start(client, "sam.patel@brookside.sch.uk"), "sam")
    assert client.get(back).status_code == 302
    users, accounts = User.objects.count(), SocialAccount.objects.count()
    for replay in (client, Client()):  # the same browser again, and another browser
        replay.logout()
        response = replay.get(back)
        assert 'data-reason="provider"' in response.content.decode()
        assert "_auth_user_id" not in replay.session
    assert (User.objects.count(), SocialAccount.objects.count()) == (users, accounts)


def test_an_id_token_signed_with_another_key_is_refused(brookside: IdentityProvider, oidc_provider: Provider) -> None:
    """The signature is checked against the keys the provider publishes (allauth alone skips
    it for tokens fetched directly from the provider)."""
    request = RequestFactory().get("/")
    adapter = VerifiedAdapter(request, brookside.provider_id, nonce="n")
    app = next(a for a in get_adapter().list_apps(request) if a.provider_id == brookside.provider_id)
    kid = requests.get(f"{oidc_provider.url}/jwks", timeout=5).json()["keys"][0]["kid"]
    now = int(time.time())
    claims = {"iss": oidc_provider.url, "aud": CLIENT_ID, "sub": "x", "iat": now, "exp": now + 600, "nonce": "n"}
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, forger, algorithm="RS256", headers={"kid": kid})
    with pytest.raises(OAuth2Error):
        adapter._decode_id_token(app, forged)
    # (Tokens signed with the provider's own key pass this same check: the first test.)


def test_a_handler_passes_the_second_factor_only_when_the_provider_did_mfa(
    brookside: IdentityProvider,
    oidc_provider: Provider,
    cast: Cast,
) -> None:
    """An incident manager with a brookside address: `amr` with "mfa" is their second factor;
    a password alone at the provider sends them to the product's own."""
    handler = User.objects.create_user("head@brookside.sch.uk", full_name="Head Teacher")
    Membership.objects.create(user=handler, organisation=cast.school_a, role=Role.INCIDENT_MANAGER)
    queue = reverse("incidents:queue")

    with_mfa = Client()
    sign_in(with_mfa, oidc_provider, "head@brookside.sch.uk", amr=["pwd", "mfa"])
    assert with_mfa.get(queue).status_code == 200

    password_only = Client()
    sign_in(password_only, oidc_provider, "head@brookside.sch.uk", amr=["pwd"])
    assert password_only.session["_auth_user_id"] == str(handler.pk)
    response = password_only.get(queue)
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_index"))
    # Signing in through the provider never gave the handler a second membership.
    assert Membership.objects.filter(user=handler).count() == 1


def test_a_handler_with_their_own_authenticator_is_not_asked_for_a_code_when_the_provider_did_mfa(
    brookside: IdentityProvider,
    oidc_provider: Provider,
    cast: Cast,
) -> None:
    """The handler already set up the product's authenticator: MFA at the provider skips
    allauth's "enter your code" step; a password alone at the provider still asks for the
    code, and the right code lets them in."""
    handler = User.objects.create_user("head@brookside.sch.uk", full_name="Head Teacher")
    Membership.objects.create(user=handler, organisation=cast.school_a, role=Role.INCIDENT_MANAGER)
    add_totp(handler)
    queue = reverse("incidents:queue")

    with_mfa = Client()
    response = sign_in(with_mfa, oidc_provider, "head@brookside.sch.uk", amr=["pwd", "mfa"])
    assert response.status_code == 302 and response["Location"] != reverse("mfa_authenticate")
    assert with_mfa.session["_auth_user_id"] == str(handler.pk)
    assert with_mfa.get(queue).status_code == 200

    password_only = Client()
    response = sign_in(password_only, oidc_provider, "head@brookside.sch.uk", amr=["pwd"])
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in password_only.session  # not signed in until the code
    assert password_only.get(queue).status_code == 302
    response = password_only.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert password_only.session["_auth_user_id"] == str(handler.pk)
    assert password_only.get(queue).status_code == 200


def test_a_refusal_by_the_provider_ends_the_session_in_that_browser(
    brookside: IdentityProvider, oidc_provider: Provider, cast: Cast
) -> None:
    """Sam signed in through the provider earlier; the provider now refuses them (their account
    there is disabled): the next sign-in attempt ends the session and shows the refusal page."""
    client = Client()
    sign_in(client, oidc_provider, "sam.patel@brookside.sch.uk")
    account = reverse("account_email")  # a page only for someone signed in
    assert "_auth_user_id" in client.session
    assert client.get(account).status_code == 200

    response = client.get(oidc_provider.refuse(start(client, "sam.patel@brookside.sch.uk")))
    assert response.status_code == 403
    assert 'data-reason="provider_refused"' in response.content.decode()
    assert "your account there may be disabled" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(account).status_code == 302


def test_an_id_token_or_an_identity_refused_after_signing_in_ends_the_session_too(
    brookside: IdentityProvider, oidc_provider: Provider
) -> None:
    client = Client()
    sign_in(client, oidc_provider, "sam.patel@brookside.sch.uk")
    assert "_auth_user_id" in client.session
    response = sign_in(client, oidc_provider, "sam.patel@brookside.sch.uk", change={"nonce": "not-this-sign-in"})
    assert response.status_code == 401 and 'data-reason="provider"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    # And when Incident Desk refuses the identity the provider vouched for (an unverified address).
    sign_in(client, oidc_provider, "sam.patel@brookside.sch.uk")
    assert "_auth_user_id" in client.session
    response = sign_in(client, oidc_provider, "sam.patel@brookside.sch.uk", email_verified=False)
    assert response.status_code == 403 and 'data-reason="unverified"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_only_the_parent_organisations_admin_or_a_superuser_claims_a_domain(
    client: Any, people: Any, cast: Cast
) -> None:
    url = reverse("organisations:sign_in_settings", args=[cast.school_a.uuid])
    client.force_login(people.admin)  # school A's own admin
    page = client.get(url).content.decode()
    assert "Add domain" not in page
    client.post(url, {"domain": "brookside.sch.uk"})
    assert not SignInDomain.objects.exists()

    county_admin = User.objects.create_user("county.admin@example.org")
    Membership.objects.create(user=county_admin, organisation=cast.county, role=Role.ADMIN)
    client.force_login(county_admin)
    assert client.post(url, {"domain": "Brookside.sch.uk", "entra_tenant_id": TENANT}).status_code == 302
    claimed = SignInDomain.objects.get()
    assert (claimed.organisation, claimed.domain, claimed.claimed_by) == (
        cast.school_a,
        "brookside.sch.uk",
        county_admin,
    )
    assert Event.objects.filter(action="sign_in_domain.claimed", organisation_id=cast.school_a.pk).count() == 1

    # A domain belongs to one organisation only.
    other = reverse("organisations:sign_in_settings", args=[cast.school_b.uuid])
    response = client.post(other, {"domain": "brookside.sch.uk"})
    assert response.status_code == 200 and "already belongs to an organisation" in response.content.decode()
    assert SignInDomain.objects.count() == 1


def test_the_admin_sets_up_the_schools_own_provider_with_the_secret_encrypted(
    client: Any, people: Any, cast: Cast
) -> None:
    client.force_login(people.admin)
    url = reverse("organisations:sign_in_settings", args=[cast.school_a.uuid])
    form = {"kind": "google", "client_id": "123.apps.googleusercontent.com", "secret": "GOCSPX-very-secret"}
    assert client.post(url, form).status_code == 302
    own = IdentityProvider.objects.get(organisation=cast.school_a)
    assert "very-secret" not in own.secret_encrypted and sealed.unseal(own.secret_encrypted) == "GOCSPX-very-secret"
    event = Event.objects.get(action="identity_provider.configured")
    assert "very-secret" not in str(event.after) and event.organisation_id == cast.school_a.pk
    # The reporter of the same school may not.
    client.force_login(cast.bob)
    assert client.get(url).status_code == 404
