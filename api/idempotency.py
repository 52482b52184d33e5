"""`Idempotency-Key`: a retried request answers what the first answered, and does nothing twice.

The first request with a key inserts the (person, key) row before it does the work, and
stores its answer in the same transaction. A concurrent request with the same key waits
on that row (PostgreSQL's unique index; SQLite's single writer) and, once the first has
committed, finds the row taken and answers the stored answer. If the first fails, its
row goes with it and the next attempt does the work. Only successful answers are kept:
a refused request (422, 409) may be corrected and sent again with the same key.

The same key with another method, path or body is refused (422): that is a new request,
which needs a new key.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from lib import clock

from .errors import Invalid
from .models import IdempotentResponse

KEY_REUSED = "This Idempotency-Key was used for a different request. Use a new key for a new request."
KEY_TOO_LONG = "An Idempotency-Key is at most 255 characters."

REPLAYED_HEADER = "Idempotent-Replayed"


def request_digest(request: HttpRequest) -> str:
    return hashlib.sha256(b"\n".join([request.method.encode(), request.path.encode(), request.body])).hexdigest()  # type: ignore[union-attr]


def once(
    request: HttpRequest, person: Any, work: Callable[[], tuple[int, dict[str, Any]]]
) -> tuple[int, dict[str, Any], bool]:
    """(status, body, replayed): `work`'s answer, done at most once per (person, key)."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        status, body = work()
        return status, body, False
    if len(key) > 255:
        raise Invalid({"Idempotency-Key": [KEY_TOO_LONG]})
    digest = request_digest(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotentResponse.objects.create(
                    person=person, key=key, request_digest=digest, created_on=clock.now()
                )
        except IntegrityError:
            stored = IdempotentResponse.objects.get(person=person, key=key)
            if stored.request_digest != digest:
                raise Invalid({"Idempotency-Key": [KEY_REUSED]}) from None
            return stored.status or 200, stored.body or {}, True
        status, body = work()
        row.status, row.body = status, body
        row.save(update_fields=["status", "body"])
    return status, body, False
