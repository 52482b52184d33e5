"""Who is calling: a bearer token found by its prefix, checked against its stored digest.

`request.auth` is a `Caller`: the acting person (a person's own token acts as them; a
service account's token acts as the service account), the token's scopes, and the
organisation subtree it works on. Permissions always come from `Powers` and `visible_to`
of `caller.person` (so never beyond their roles); the scopes narrow them further:

    from api.auth import need
    from api.models import Scope

    @router.post("/incidents/{incident_uuid}/triage")
    def triage(request, incident_uuid: UUID, payload: TriageIn):
        caller = need(request, Scope.HANDLE)         # 403 without the scope
        incident = get_visible_or_404(Incident, caller.person, uuid=incident_uuid)
        lifecycle.triage(incident, by=caller.person, ...)   # StepRefused → 409 (api/errors.py)

Each call also counts against the token's rate limit (`API_RATE_LIMIT_PER_MINUTE`): one
statement on the token's row both counts the call in this minute's window and writes
`last_used_on`, so the count is shared by every process and the last-used time costs
nothing extra.
"""

import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.http import HttpRequest
from ninja.security import HttpBearer

from lib import clock
from organisations.models import Organisation

from .models import TOKEN_PREFIX, ApiToken, Scope, ServiceAccount, digest_of


class Forbidden(Exception):
    """The token is good but may not do this (a scope it lacks): HTTP 403 with the reason."""


class RateLimited(Exception):
    """Too many calls with one token this minute: HTTP 429 with Retry-After (seconds)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many requests with this token. Wait and try again.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Caller:
    """The acting person, the token's scopes, and the part of the tree it works on
    (a service account's organisation and everything beneath it; None for a person's own
    token, which reaches wherever the person's roles do)."""

    person: Any
    token: ApiToken
    scopes: frozenset[str] = field(default_factory=frozenset)
    organisation: Organisation | None = None

    def has(self, scope: str) -> bool:
        return str(scope) in self.scopes


def need(request: HttpRequest, scope: str) -> Caller:
    """The caller, if their token carries `scope`; otherwise 403 with the reason."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    if not caller.has(scope):
        raise Forbidden(f"This token does not have the “{Scope(scope).value}” scope.")
    return caller


def rate_limit() -> int:
    return int(getattr(settings, "API_RATE_LIMIT_PER_MINUTE", 120))


def count_call(token: ApiToken, now: datetime) -> int:
    """Count this call in the token's current one-minute window; the count so far."""
    window = now.replace(second=0, microsecond=0)
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(
            window_count=Case(When(window_start=window, then=F("window_count") + 1), default=Value(1)),
            window_start=window,
            last_used_on=now,
        )
        return ApiToken.objects.filter(pk=token.pk).values_list("window_count", flat=True).get()


def find_token(secret: str, now: datetime) -> ApiToken | None:
    """The usable token whose secret this is, or None (unknown, wrong, expired, revoked)."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        ApiToken.objects.usable(now)
        .select_related("person", "person__service_account__organisation")
        .filter(prefix=parts[1])
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, digest_of(secret)):
        return None
    return token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer idk_…`: 401 for a missing, unknown, expired or revoked token,
    a token of a person who can no longer sign in, or of a disabled service account."""

    openapi_description = "A token made on your account page, or an organisation's service account token."

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        now = clock.now()
        found = find_token(token, now)
        if found is None:
            return None
        person = found.person
        service: ServiceAccount | None = getattr(person, "service_account", None)
        if service is not None:
            if service.disabled_on is not None:
                return None
        elif not person.is_active:
            return None
        count = count_call(found, now)
        if count > rate_limit():
            window_end = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
            raise RateLimited(max(1, int((window_end - now).total_seconds() + 0.999)))
        # Code below reads `request.user` (the record's actor, `visible_to`): it is the caller.
        request.user = person
        return Caller(
            person=person,
            token=found,
            scopes=frozenset(found.scopes),
            organisation=service.organisation if service is not None else None,
        )
