"""Throttling failed sign-ins: per account, per address, and never everyone behind one address.

A school's staff often share one public address (NAT). Counting failures per address alone
would let one pupil lock the whole school out by typing wrong passwords; counting per
account alone would let an attacker try one password against every account. So:

- **Per account**: `ACCOUNT_RATE_LIMITS["login_failed"]` (5 failures per 5 minutes), allauth's
  own limit, also applied to wrong second-factor codes.
- **Per address**: `SIGNIN_FAILURES_PER_ADDRESS` (default 30 per 5 minutes) stops password
  spraying from one address.
- **Known devices are exempt from both**: a browser where someone completed signing in
  (password and second factor) gets a signed device cookie (OWASP's "device cookies"). Sign-ins
  for that account from that browser count only against their own limit (the same 5 per 5
  minutes, for that account on that device). An attacker, wherever they are, can lock out
  neither an address nor an account for people on the browsers they already use.

Counts live in the default cache, a database table shared by every process
(accounts/migrations/0002). The cookie holds a random device id and keyed hashes of the
accounts signed in on it, never an email address.
"""

import secrets
from typing import Any

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase
from django.utils.crypto import salted_hmac

SALT = "accounts.throttle.device"
# Accounts remembered on one device (a shared staffroom computer may see several).
MAX_ACCOUNTS_PER_DEVICE = 10
DEVICE_COOKIE_AGE = 60 * 60 * 24 * 180


def _account_tag(login: str) -> str:
    return salted_hmac(SALT, login.strip().lower(), algorithm="sha256").hexdigest()[:32]


def _read_device(request: HttpRequest) -> dict[str, Any] | None:
    raw = request.COOKIES.get(settings.SIGNIN_DEVICE_COOKIE_NAME)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=SALT, max_age=DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("d"), str) or not isinstance(value.get("a"), list):
        return None
    return value


def known_device(request: HttpRequest, login: str) -> str | None:
    """The device id, if this browser carries a device cookie on which `login` signed in."""
    device = _read_device(request)
    if device is None or _account_tag(login) not in device["a"]:
        return None
    return str(device["d"])


def remember_device(request: HttpRequest, response: HttpResponseBase, login: str) -> None:
    """After a complete sign-in: add the account to this browser's device cookie."""
    device = _read_device(request) or {"d": secrets.token_urlsafe(16), "a": []}
    tag = _account_tag(login)
    accounts = [tag, *(a for a in device["a"] if a != tag)][:MAX_ACCOUNTS_PER_DEVICE]
    response.set_cookie(
        settings.SIGNIN_DEVICE_COOKIE_NAME,
        signing.dumps({"d": device["d"], "a": accounts}, salt=SALT, compress=True),
        max_age=DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def consume_sign_in_attempt(request: HttpRequest, login: str) -> ratelimit.RateLimitUsage | None:
    """Count one sign-in attempt; None when a limit is reached. Roll it back on success."""
    account_limit = settings.ACCOUNT_RATE_LIMITS["login_failed"]
    device = known_device(request, login)
    if device is not None:
        config = {"login_failed": account_limit}
        return ratelimit.consume(
            request, app="accounts", action="login_failed", config=config, key=f"{login}:device:{device}"
        )
    usage = ratelimit.consume(
        request,
        app="accounts",
        action="login_failed_address",
        config={"login_failed_address": settings.SIGNIN_FAILURES_PER_ADDRESS},
        key=f"address:{ratelimit.get_ip(request)}",
    )
    if usage is None:
        return None
    account = ratelimit.consume(
        request, app="accounts", action="login_failed", config={"login_failed": account_limit}, key=login
    )
    if account is None:
        usage.rollback()
        return None
    return ratelimit.RateLimitUsage(usage=[*usage.usage, *account.usage])
