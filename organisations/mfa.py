"""Two-step verification for everyone who handles incidents or sets up an organisation.

Who needs it is one rule, `powers.needs_second_factor`. This middleware applies it to every
page, the Django admin included:

- a person who needs a second factor and has none is sent to set one up (an authenticator
  app, or a passkey), and may use nothing else until they have;
- a person who has one but whose session has not passed it (a session from before they set
  it up, or one signed in some other way) is asked for a code before going on.

allauth records each way a session was authenticated (`get_authentication_records`): a
passed second factor is a record with method "mfa". Setting up a first authenticator counts
as passing it (`_enrolled`), so nobody is asked for a code a moment after scanning the QR code.

Reporters and governance viewers are not affected.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from allauth.mfa.utils import is_mfa_enabled
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .powers import needs_second_factor

# Pages a person may open before passing or setting up a second factor: signing in and out,
# the password steps allauth asks for before a change, and the second-factor pages themselves.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "account_login",
        "account_logout",
        "account_reauthenticate",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "mfa_index",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "mfa_login_webauthn",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
        "accessibility",
        "privacy",
    }
)


def passed_second_factor(request: HttpRequest) -> bool:
    """Whether this session has passed a second factor for its signed-in person."""
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))


class SecondFactorMiddleware:
    """Sends a person who needs a second factor to set one up, or to enter one (see above)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if request.path.startswith("/static/") or not needs_second_factor(user):
            return None
        if passed_second_factor(request):
            return None
        if not is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]):
            return HttpResponseRedirect(reverse("mfa_index"))
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")


@receiver(authenticator_added)
def _enrolled(sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any) -> None:
    """Setting up an authenticator proves the person holds it: it counts as passing it."""
    if authenticator.type != Authenticator.Type.RECOVERY_CODES:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True)


class MFAAdapter(DefaultMFAAdapter):
    """A person who needs a second factor cannot remove their last authenticator."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if not needs_second_factor(authenticator.user):
            return super().can_delete_authenticator(authenticator)
        others = (
            Authenticator.objects.filter(user_id=authenticator.user_id)
            .exclude(pk=authenticator.pk)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
        )
        return others.exists() and super().can_delete_authenticator(authenticator)
