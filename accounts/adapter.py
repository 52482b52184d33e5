from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from . import throttle

# Set by an outside-help invitation link (incidents.views.restriction): the one address that
# may create an account in this session. Nobody else may sign up.
INVITED_EMAIL = "invited_email"


class AccountAdapter(DefaultAccountAdapter):
    """People join by invitation from an organisation admin, never by open sign-up; the one
    exception is a person invited to help with one incident, who signs up with the address
    the invitation went to (and then sets up a second factor, as everyone who reads incidents).

    Failed sign-ins are throttled per account and per address, with known devices exempt
    (accounts/throttle.py), in place of allauth's own per-address and per-account limit.
    """

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(request.session.get(INVITED_EMAIL))

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        invited = self.request.session.get(INVITED_EMAIL) if getattr(self, "request", None) else None
        if invited and email.strip().lower() != invited:
            raise ValidationError(f"Use the address your invitation was sent to: {invited}")
        return email

    def get_login_stages(self) -> list[str]:
        """allauth's sign-in steps, with its second-factor step replaced by the one named in
        `MFA_AUTHENTICATE_STAGE` (organisations.sso: a provider that did MFA is enough)."""
        ours = settings.MFA_AUTHENTICATE_STAGE
        return [ours if s == "allauth.mfa.stages.AuthenticateStage" else s for s in super().get_login_stages()]

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        login = str(credentials.get("email", credentials.get("username", ""))).strip().lower()
        self._login_failed_rl_usage = throttle.consume_sign_in_attempt(request, login)
        if not self._login_failed_rl_usage:
            raise self.validation_error("too_many_login_attempts")

    def post_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> HttpResponse:
        response = super().post_login(request, user, **kwargs)
        throttle.remember_device(request, response, str(getattr(user, "email", "")))
        return response
