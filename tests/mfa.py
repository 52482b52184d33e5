"""Signing in with a second factor in tests.

Handlers, DPOs, SIROs, admins and superusers must pass a second factor before any page
(`organisations.mfa`). `SecondFactorClient.force_login` signs a person in as if they had
entered their password and a code from their authenticator app, recording both in the
session exactly as allauth does, so tests about anything else need not go through the
two-step sign-in. pytest-django's `client` fixture is this client (tests/conftest.py); tests
that build their own client use `SecondFactorClient()`.

Tests of the sign-in itself use the plain `django.test.Client` and `add_totp`/`totp_code`.
"""

import time
from typing import Any

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import Client

# A fixed secret for test people's authenticator apps (base32), never used outside tests.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def add_totp(user: Any, secret: str = TEST_TOTP_SECRET) -> Authenticator:
    """Give `user` an authenticator app with `secret`, as setting one up does."""
    return TOTP.activate(user, secret).instance


def totp_code(secret: str = TEST_TOTP_SECRET, at: float | None = None) -> str:
    """The code an authenticator app with `secret` shows now (or at the Unix time `at`)."""
    return format_hotp_value(hotp_value(secret, int(time.time() if at is None else at) // 30))


class SecondFactorClient(Client):
    """A test client whose `force_login` also passes the second factor (see above)."""

    def force_login(self, user: Any, backend: str | None = None) -> None:
        super().force_login(user, backend)
        session = self.session
        now = time.time()
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": now, "email": user.email},
            {"method": "mfa", "at": now, "type": Authenticator.Type.TOTP},
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
