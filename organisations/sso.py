"""Single sign-on through the organisation's identity provider (docs/sign-in.md).

Who joins where is this one rule, `match`: a verified address (`email_verified`) in a domain
an organisation owns (`SignInDomain`), from a provider that may speak for it (the installation's,
or the organisation's own or an ancestor's), with the Entra tenant (`tid`) or the Google
Workspace domain (`hd`) the domain is registered with. A match signs in the existing account
or, on first sign-in, makes one that holds the reporter role there and nothing more. Anything
else is refused before anything is created.

A handler's session passes the second-factor rule (organisations/mfa.py) only when the ID
token's `amr` claim says the provider did multi-factor authentication.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.internal.flows.login import record_authentication
from allauth.account.signals import user_logged_in
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa import stages as mfa_stages
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base import AuthError
from django.contrib.auth import logout
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.shortcuts import render

from audit.log import record
from lib import sealed

from .models import IdentityProvider, Membership, Role, SignInDomain
from .powers import memberships_of

INSTALLATION_KINDS = {"microsoft": "Microsoft", "google": "Google"}
MFA_AMR = frozenset({"mfa", "otp", "hwk", "swk", "fido", "sc"})


class Refused(Exception):
    """The identity joins no organisation; `reason` is shown to the person."""

    def __init__(self, reason: str, domain: SignInDomain | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.domain = domain


REASONS = {
    "unverified": "Your identity provider did not confirm that this email address is yours.",
    "no_organisation": "No organisation on Incident Desk uses this email address's domain for signing in.",
    "wrong_provider": "This email address belongs to an organisation that signs in another way.",
    "wrong_tenant": "Your Microsoft account is not in the tenant your organisation has registered.",
    "not_workspace": "Your Google account is not part of your organisation's Google Workspace.",
    "provider_refused": (
        "Your organisation's sign-in service did not let you sign in: your account there may be "
        "disabled, or the sign-in was cancelled."
    ),
}


@dataclass(frozen=True)
class ProviderRef:
    kind: str
    own: IdentityProvider | None  # None: the installation's provider


def provider_ref(provider_id: str) -> ProviderRef | None:
    if provider_id in INSTALLATION_KINDS:
        return ProviderRef(provider_id, None)
    kind, _, org_uuid = provider_id.partition("-")
    own = IdentityProvider.objects.select_related("organisation").filter(kind=kind, organisation__uuid=org_uuid)
    found = own.first() if org_uuid else None
    return ProviderRef(kind, found) if found else None


def claims_of(sociallogin: SocialLogin) -> dict[str, Any]:
    data = sociallogin.account.extra_data or {}
    return {**data.get("userinfo", {}), **data.get("id_token", {})}


def match(provider_id: str, claims: dict[str, Any]) -> SignInDomain:
    """The domain (and so the organisation) a verified identity joins, or `Refused`."""
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") not in (True, "true"):
        raise Refused("unverified")
    domain = SignInDomain.objects.select_related("organisation").filter(domain=email.rpartition("@")[2]).first()
    if domain is None:
        raise Refused("no_organisation")
    ref = provider_ref(provider_id)
    if ref is None or (ref.own and not domain.organisation.path.startswith(ref.own.organisation.path)):
        raise Refused("wrong_provider", domain)
    if ref.kind == "microsoft" and (not domain.entra_tenant_id or claims.get("tid") != domain.entra_tenant_id):
        raise Refused("wrong_tenant", domain)
    if ref.kind == "google" and claims.get("hd") != domain.domain:
        raise Refused("not_workspace", domain)
    return domain


def provider_for(domain: SignInDomain, kind: str) -> str | None:
    """The provider id a person of `domain` signs in through: the nearest organisation's own
    provider of that kind, else the installation's (None when there is neither)."""
    ids = [int(i) for i in domain.organisation.path.strip("/").split("/")]
    own = (
        IdentityProvider.objects.filter(kind=kind, organisation_id__in=ids)
        .select_related("organisation")
        .order_by("-organisation__path")
        .first()
    )
    if own is not None:
        return own.provider_id
    return kind if any(a.provider_id == kind for a in SignInAdapter().settings_apps()) else None


def provider_origins() -> list[str]:
    """The origins of every provider someone may be sent to sign in: Microsoft's, Google's, and
    any other address an installation or organisation set (the demo's local provider)."""
    urls = {"https://login.microsoftonline.com", "https://accounts.google.com"}
    urls.update(a.settings.get("server_url", "") for a in SignInAdapter().settings_apps())
    urls.update(IdentityProvider.objects.exclude(server_url="").values_list("server_url", flat=True))
    origins = {"{0.scheme}://{0.netloc}".format(urlsplit(url)) for url in urls if url}
    return sorted(origins)


def join(user: Any, domain: SignInDomain, claims: dict[str, Any]) -> bool:
    """Give a person who holds no role at the domain's organisation (or above) the reporter
    role there; never any other. True when they joined."""
    organisation = domain.organisation
    if any(organisation.path.startswith(path) for path, _ in memberships_of(user)):
        return False
    with transaction.atomic():
        membership, added = Membership.objects.get_or_create(user=user, organisation=organisation, role=Role.REPORTER)
        if added:
            record(
                organisation_id=organisation.pk,
                action="membership.joined_by_sso",
                actor=user,
                target=membership,
                after={"user": user.email, "role": Role.REPORTER, "domain": domain.domain, "issuer": claims.get("iss")},
            )
    return added


class SignInAdapter(DefaultSocialAccountAdapter):
    """allauth's social sign-in, held to `match`: refused identities see why and whom to ask."""

    def settings_apps(self) -> list[SocialApp]:
        return [a for a in super().list_apps(None) if a.provider == "openid_connect"]

    def list_apps(self, request: HttpRequest | None, provider: Any = None, client_id: Any = None) -> list[SocialApp]:
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        if provider in (None, "openid_connect") or (isinstance(provider, str) and "-" in provider):
            owned = IdentityProvider.objects.select_related("organisation")
            for own in owned:
                if provider not in (None, "openid_connect", own.provider_id):
                    continue
                if client_id and client_id != own.client_id:
                    continue
                apps.append(app_for(own))
        return apps

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True  # `pre_social_login` has let only matching identities through

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        claims = claims_of(sociallogin)
        try:
            domain = match(sociallogin.account.provider, claims)
        except Refused as refused:
            end_session(request)
            raise ImmediateHttpResponse(refused_page(request, refused)) from None
        request._sso_domain = domain  # type: ignore[attr-defined]
        request._sso_claims = claims  # type: ignore[attr-defined]

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        """The provider refused the person (an error such as access_denied: the account is
        disabled there, or they cancelled) or its answer could not be trusted (the ID token
        was refused): the browser's session ends too. A refusal shows the refusal page; an
        answer that could not be checked, templates/socialaccount/authentication_error.html."""
        end_session(request)
        if error == AuthError.CANCELLED:
            raise ImmediateHttpResponse(refused_page(request, Refused("provider_refused")))

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        user.email = str(user.email).lower()
        user.full_name = str(claims_of(sociallogin).get("name") or "")[:200]
        return user


def server_url(own: IdentityProvider) -> str:
    """Where the organisation's provider publishes its OpenID configuration: its own address
    if set, else Entra ID's for the tenant of the organisation's domains, else Google's."""
    if own.server_url:
        return own.server_url
    if own.kind == IdentityProvider.Kind.GOOGLE:
        return "https://accounts.google.com"
    tenants = own.organisation.sign_in_domains.exclude(entra_tenant_id="").values_list("entra_tenant_id", flat=True)
    return f"https://login.microsoftonline.com/{tenants.first() or 'organizations'}/v2.0"


def app_for(own: IdentityProvider) -> SocialApp:
    return SocialApp(
        provider="openid_connect",
        provider_id=own.provider_id,
        name=own.get_kind_display(),
        client_id=own.client_id,
        secret=sealed.unseal(own.secret_encrypted),
        settings={"server_url": server_url(own), "oauth_pkce_enabled": True},
    )


def end_session(request: HttpRequest) -> None:
    """A refused sign-in through the provider ends whoever was signed in in this browser, so
    an account disabled at the provider does not carry on with an older session here."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        logout(request)


def refused_page(request: HttpRequest, refused: Refused) -> Any:
    return render(
        request,
        "organisations/sso_refused.html",
        {"reason": REASONS[refused.reason], "code": refused.reason, "domain": refused.domain},
        status=403,
    )


def provider_did_mfa(claims: dict[str, Any]) -> bool:
    """Whether the ID token's `amr` says the provider asked for a second factor."""
    amr = claims.get("amr") or []
    return isinstance(amr, list) and bool(MFA_AMR & set(amr))


class AuthenticateStage(mfa_stages.AuthenticateStage):
    """allauth's sign-in step that asks for the product's own second factor, skipped when the
    person signs in through their provider and its ID token says it did MFA: that is their
    second factor (issue 14). Without it, someone with an authenticator is asked for a code.
    Wired in by `MFA_AUTHENTICATE_STAGE` in the settings (accounts/adapter.py)."""

    def _should_handle(self, request: HttpRequest) -> bool:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if sociallogin is not None and provider_did_mfa(claims_of(sociallogin)):
            return False
        return bool(super()._should_handle(request))


@receiver(user_logged_in)
def _signed_in_through_provider(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    sociallogin = kwargs.get("sociallogin")
    domain = getattr(request, "_sso_domain", None)
    if sociallogin is None or domain is None:
        return
    claims = getattr(request, "_sso_claims", {})
    join(user, domain, claims)
    if provider_did_mfa(claims):
        amr = claims["amr"]
        record_authentication(request, user, "mfa", type="sso", amr=amr, provider=sociallogin.account.provider)
