"""Demo people's authenticator apps: one fixed, published secret, for the demo only.

Everyone in the demo who must pass a second factor (organisations.powers.needs_second_factor)
gets an authenticator app with DEMO_TOTP_SECRET, so the demo can be tried at once: add the
secret to any authenticator app, or run `manage.py demo_code EMAIL` for the current code.
Never used outside the demo: `load_demo` and `demo_code` refuse to run in production.
"""

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.utils import timezone

from organisations.powers import needs_second_factor

DEMO_TOTP_SECRET = "NBSWY3DPO5XXE3DEMFZW63DJNZRWK4TE"  # noqa: S105 (published on purpose: demo only)


def give_authenticators(users: list[Any]) -> None:
    for user in users:
        if needs_second_factor(user):
            TOTP.activate(user, DEMO_TOTP_SECRET)


def current_code(user: Any) -> str | None:
    """The code `user`'s demo authenticator app shows now; None if theirs is not the demo's."""
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is None or decrypt(totp.data["secret"]) != DEMO_TOTP_SECRET:
        return None
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(timezone.now().timestamp()) // 30))
