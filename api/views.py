"""The pages for tokens: a person's own (on their account pages) and an organisation's
service accounts (for its admins). A new token's secret is shown once, on the page that
made it, and never again; making one needs a session that passed a second factor."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from lib import clock
from organisations.mfa import passed_second_factor
from organisations.views import get_administered

from . import services
from .forms import ServiceAccountForm, TokenForm
from .models import ApiToken, ServiceAccount

NEEDS_SECOND_FACTOR = (
    "To make a token, sign in with two-step verification. Set it up on your account page, then sign out and in again."
)


def token_rows(tokens: Any) -> list[dict[str, Any]]:
    now = clock.now()
    return [{"token": token, "state": token.state(now)} for token in tokens]


def make_token(request: HttpRequest, person: Any, form: TokenForm) -> tuple[ApiToken, str]:
    return services.issue_token(
        person=person,
        by=request.user,
        name=form.cleaned_data["name"],
        scopes=form.cleaned_data["scopes"],
        days=int(form.cleaned_data["lifetime"]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_tokens(request: HttpRequest) -> HttpResponse:
    """A person's own tokens, each acting as them (never beyond their roles)."""
    form = TokenForm(request.POST or None)
    status, secret, made = 200, None, None
    may_make = passed_second_factor(request)
    if request.method == "POST":
        if not may_make:
            form.add_error(None, NEEDS_SECOND_FACTOR)
            status = 403
        elif form.is_valid():
            made, secret = make_token(request, request.user, form)
            form = TokenForm()
    tokens = ApiToken.objects.filter(person=request.user.pk)
    context = {"form": form, "rows": token_rows(tokens), "secret": secret, "made": made, "may_make": may_make}
    return render(request, "api/my_tokens.html", context, status=status)


@login_required
@require_POST
def revoke_my_token(request: HttpRequest, token_uuid: Any) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(person=request.user.pk), uuid=token_uuid)
    services.revoke_token(token, by=request.user)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("api:my_tokens")


@login_required
@require_http_methods(["GET", "POST"])
def service_accounts(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    """An organisation's service accounts, and making one (admins of it or above)."""
    organisation = get_administered(request, org_uuid)
    titles = organisation.role_titles()
    form = ServiceAccountForm(request.POST or None, titles=titles)
    if request.method == "POST" and form.is_valid():
        account = services.create_service_account(
            organisation=organisation, by=request.user, name=form.cleaned_data["name"], roles=form.cleaned_data["roles"]
        )
        messages.success(request, f"The service account “{account.name}” is made. Now make a token for it.")
        return redirect("api:service_account", organisation.uuid, account.uuid)
    accounts = ServiceAccount.objects.filter(organisation=organisation).select_related("person")
    context = {"organisation": organisation, "current_organisation": organisation, "form": form, "accounts": accounts}
    return render(request, "api/service_accounts.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def service_account(request: HttpRequest, org_uuid: Any, account_uuid: Any) -> HttpResponse:
    """One service account: its roles, its tokens, and making a token for it."""
    organisation = get_administered(request, org_uuid)
    account = get_object_or_404(ServiceAccount.objects.filter(organisation=organisation), uuid=account_uuid)
    form = TokenForm(request.POST or None)
    status, secret, made = 200, None, None
    may_make = passed_second_factor(request)
    if request.method == "POST":
        if not may_make:
            form.add_error(None, NEEDS_SECOND_FACTOR)
            status = 403
        elif form.is_valid():
            made, secret = make_token(request, account.person, form)
            form = TokenForm()
    titles = organisation.role_titles()
    roles = [titles[m.role] for m in account.person.memberships.all()]
    context = {
        "organisation": organisation,
        "current_organisation": organisation,
        "account": account,
        "roles": roles,
        "form": form,
        "rows": token_rows(ApiToken.objects.filter(person=account.person)),
        "secret": secret,
        "made": made,
        "may_make": may_make,
    }
    return render(request, "api/service_account.html", context, status=status)


@login_required
@require_POST
def revoke_service_token(
    request: HttpRequest, org_uuid: Any, account_uuid: Any, service_token_uuid: Any
) -> HttpResponse:
    organisation = get_administered(request, org_uuid)
    account = get_object_or_404(ServiceAccount.objects.filter(organisation=organisation), uuid=account_uuid)
    token = get_object_or_404(ApiToken.objects.filter(person=account.person), uuid=service_token_uuid)
    services.revoke_token(token, by=request.user)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("api:service_account", organisation.uuid, account.uuid)
