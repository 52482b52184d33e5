"""Single sign-on pages: "Sign in with Microsoft / Google" (the email step that finds the
organisation's provider), allauth's OpenID Connect login and callback held to a signed ID
token and a nonce, and the organisation admin's sign-in settings (domains and provider)."""

import re
import secrets as random
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import User
from audit.log import record
from lib import sealed

from . import sso
from .models import IdentityProvider, SignInDomain
from .powers import may_claim_domain
from .views import get_administered


class VerifiedAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's adapter, but the ID token's signature is always checked against the
    provider's published keys, and its nonce against the one this sign-in sent."""

    def __init__(self, request: HttpRequest, provider_id: str, nonce: str | None = None) -> None:
        super().__init__(request, provider_id)
        self.nonce = nonce

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict[str, Any]:
        data: dict[str, Any] = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        if not self.nonce or data.get("nonce") != self.nonce:
            raise OAuth2Error("The ID token's nonce is not the one this sign-in sent.")
        return data


def oidc_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        response = OAuth2LoginView.adapter_view(VerifiedAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    location = response.get("Location", "") if response.status_code == 302 else ""
    parts = urlsplit(location)
    query = parse_qs(parts.query)
    if "state" in query:
        nonce = random.token_urlsafe(24)
        nonces = request.session.get("sso_nonces", {})
        nonces[query["state"][0]] = nonce
        request.session["sso_nonces"] = dict(list(nonces.items())[-5:])
        hint = request.POST.get("email", "")
        extra = {"nonce": nonce, **({"login_hint": hint} if hint else {})}
        response["Location"] = urlunsplit(parts._replace(query=f"{parts.query}&{urlencode(extra)}"))
    return response


def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    nonces = request.session.get("sso_nonces", {})
    nonce = nonces.pop(request.GET.get("state", ""), None)
    request.session["sso_nonces"] = nonces
    try:
        return OAuth2CallbackView.adapter_view(VerifiedAdapter(request, provider_id, nonce))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


class WorkEmailForm(forms.Form):
    email = forms.EmailField(
        label="Your work email address",
        help_text="We use it to find your organisation's sign-in. Example: j.smith@brookside.sch.uk",
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address like name@school.sch.uk",
        },
    )


@require_http_methods(["GET", "POST"])
def sign_in_with(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in sso.INSTALLATION_KINDS:
        raise Http404
    name = sso.INSTALLATION_KINDS[kind]
    form = WorkEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        domain = SignInDomain.objects.select_related("organisation").filter(domain=email.rpartition("@")[2]).first()
        if domain is None:
            return sso.refused_page(request, sso.Refused("no_organisation"))
        provider_id = sso.provider_for(domain, kind)
        if provider_id is None:
            return sso.refused_page(request, sso.Refused("wrong_provider", domain))
        return oidc_login(request, provider_id)
    response = render(request, "organisations/sso_email.html", {"form": form, "name": name})
    # The form's answer redirects to the provider, and browsers hold a form's redirects to the
    # page's form-action: name every provider a person may be sent to, and no other.
    policy: dict[str, Any] = dict(settings.SECURE_CSP)
    policy["form-action"] = [*policy.get("form-action", []), *sso.provider_origins()]
    response._csp_config = policy  # type: ignore[attr-defined]  # what @csp_override sets
    return response


DOMAIN = re.compile(r"([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


class DomainForm(forms.Form):
    domain = forms.CharField(
        max_length=253,
        label="Email domain",
        help_text="The part after the @ in your staff's addresses. Example: brookside.sch.uk",
        error_messages={"required": "Enter an email domain"},
    )
    entra_tenant_id = forms.CharField(
        label="Microsoft Entra tenant ID (optional)",
        required=False,
        max_length=64,
        help_text="Only for Microsoft 365: the Directory (tenant) ID shown in the Entra admin centre.",
    )

    def clean_domain(self) -> str:
        domain = str(self.cleaned_data["domain"]).strip().lower().removeprefix("@")
        if not DOMAIN.fullmatch(domain):
            raise forms.ValidationError("Enter a domain like brookside.sch.uk")
        return domain


class ProviderForm(forms.Form):
    kind = forms.ChoiceField(label="Identity provider", choices=IdentityProvider.Kind.choices, widget=forms.RadioSelect)
    client_id = forms.CharField(label="Client ID", max_length=200, error_messages={"required": "Enter the client ID"})
    secret = forms.CharField(
        label="Client secret",
        widget=forms.PasswordInput,
        error_messages={"required": "Enter the client secret"},
        help_text="Stored encrypted. Enter it again to change it.",
    )
    server_url = forms.URLField(
        label="Server address", required=False, help_text="Leave blank for Microsoft or Google."
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign_in_settings(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = get_administered(request, org_uuid)
    user = request.user
    assert isinstance(user, User)
    may_claim = may_claim_domain(user, organisation)
    domain_form = DomainForm(request.POST if "domain" in request.POST else None, prefix="")
    provider_form = ProviderForm(request.POST if "client_id" in request.POST else None)
    if request.method == "POST" and "domain" in request.POST and may_claim and domain_form.is_valid():
        try:
            with transaction.atomic():
                claimed = SignInDomain.objects.create(
                    organisation=organisation, claimed_by=user, **domain_form.cleaned_data
                )
                record(
                    organisation_id=organisation.pk,
                    action="sign_in_domain.claimed",
                    actor=request.user,
                    target=claimed,
                    after=domain_form.cleaned_data,
                )
        except IntegrityError:
            domain_form.add_error("domain", "This domain already belongs to an organisation")
        else:
            messages.success(request, f"{claimed.domain} now signs in to {organisation.name}.")
            return redirect("organisations:sign_in_settings", organisation.uuid)
    if request.method == "POST" and "client_id" in request.POST and provider_form.is_valid():
        data = provider_form.cleaned_data
        with transaction.atomic():
            own, _ = IdentityProvider.objects.update_or_create(
                organisation=organisation,
                kind=data["kind"],
                defaults={
                    "client_id": data["client_id"],
                    "secret_encrypted": sealed.seal(data["secret"]),
                    "server_url": data["server_url"],
                    "updated_by": user,
                },
            )
            record(
                organisation_id=organisation.pk,
                action="identity_provider.configured",
                actor=request.user,
                target=own,
                after={"kind": own.kind, "client_id": own.client_id, "server_url": own.server_url},
            )
        messages.success(request, f"Sign in with {own.get_kind_display()} is set up for {organisation.name}.")
        return redirect("organisations:sign_in_settings", organisation.uuid)
    return render(
        request,
        "organisations/sign_in_settings.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "domains": organisation.sign_in_domains.all(),
            "providers": organisation.identity_providers.all(),
            "may_claim": may_claim,
            "domain_form": domain_form,
            "provider_form": provider_form,
        },
    )
