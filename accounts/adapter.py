from django.http import HttpRequest

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """People join by invitation from an organisation admin, never by open sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
