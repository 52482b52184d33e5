"""Rate limits for the public pages, counted in the database so every worker shares them.

Each window of each limit has a random salt (`RateLimitWindow`); a client's count is kept
under HMAC(salt, client key), where the client key is the middleware's in-memory stand-in
for the address (never stored). When the window ends, `purge` deletes it with its salt and
counts, so nothing stored can later be matched to an address, even by someone holding
SECRET_KEY. Counting is one atomic UPDATE (count + 1) on a row made once per window: the
window's end is fixed when the window is made, and counting never moves it.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import RateLimitCount, RateLimitWindow


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


REPORT = Limit("report", 20, 3600)
RECEIPT_LOOKUP = Limit("receipt", 10, 600)
MESSAGE = Limit("message", 30, 3600)


def _window(limit: Limit, number: int) -> RateLimitWindow:
    found = RateLimitWindow.objects.filter(limit=limit.name, number=number).first()
    if found is not None:
        return found
    expires = datetime.fromtimestamp((number + 1) * limit.seconds, tz=UTC)
    try:
        with transaction.atomic():
            return RateLimitWindow.objects.create(
                limit=limit.name, number=number, salt=secrets.token_bytes(32), expires_on=expires
            )
    except IntegrityError:  # another process made it first: use theirs
        return RateLimitWindow.objects.get(limit=limit.name, number=number)


def hit(limit: Limit, client: str, *, at: float | None = None) -> bool:
    """Count one use by `client`; True while within the limit.

    Every call does the same work (find the window, one UPDATE, one read), whatever the
    outcome, so the answer's timing says nothing about the count.
    """
    number = int(time.time() if at is None else at) // limit.seconds
    window = _window(limit, number)
    key = hmac.new(bytes(window.salt), client.encode(), hashlib.sha256).hexdigest()
    with transaction.atomic():
        counted = RateLimitCount.objects.filter(window=window, key=key).update(used=F("used") + 1)
        if not counted:
            try:
                with transaction.atomic():
                    RateLimitCount.objects.create(window=window, key=key, used=1)
            except IntegrityError:  # the same client's other request made the row first
                RateLimitCount.objects.filter(window=window, key=key).update(used=F("used") + 1)
        used = RateLimitCount.objects.filter(window=window, key=key).values_list("used", flat=True).get()
    return used <= limit.count


def purge(now: datetime | None = None) -> int:
    """Delete every ended window with its salt and counts; the number of windows deleted."""
    moment = now or datetime.now(tz=UTC)
    _, per_model = RateLimitWindow.objects.filter(expires_on__lte=moment).delete()
    return per_model.get(RateLimitWindow._meta.label, 0)


def reset() -> None:
    """Forget every count (tests, and an operator lifting limits at once)."""
    RateLimitWindow.objects.all().delete()
