"""Sending deliveries: claim what is due, send each, log the attempt, back off, turn off.

**Claiming** takes pending rows (and rows left "sending" by a worker whose lease ran out)
with `SELECT … FOR UPDATE SKIP LOCKED` (on SQLite the IMMEDIATE transaction serialises
claims), marks them "sending" with a lease and a token, and commits: two workers never take
the same row. Only the **head of each incident's queue** is claimable: a delivery waits while
an earlier delivery of the same subscription and incident is not yet delivered, so a receiver
hears an incident's events in the order they happened, however often one of them fails.

**Sending** posts the stored body, signed afresh (webhook-id stays the row's, so a receiver
can recognise a repeat), through `net.post` (its address checks, timeouts, no redirects).
A 2xx answer marks the row delivered (compare-and-set on the claim token, so a row is marked
delivered once). Anything else is a failed attempt: the row is pending again after
`backoff(attempts)` (30 s, 1 min, 2 min … capped at 6 hours).

**Turning off**: a subscription whose last `WEBHOOK_DISABLE_AFTER_FAILURES` attempts all failed,
over at least `WEBHOOK_DISABLE_AFTER_SECONDS`, is disabled, and its organisation's admins are
told (`notifications.audiences`, occasion "webhook.disabled"). Its deliveries wait; an admin
who turns it back on has them sent, in order.
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from audit.log import record
from audit.models import Event
from incidents.models import Incident
from lib import sealed
from notifications.audiences import Occasion, tell

from . import net, payloads, signing
from .models import Attempt, Delivery, Subscription

logger = logging.getLogger(__name__)


def lease() -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 6 * 60 * 60))


def claim(batch_size: int, now: datetime) -> tuple[str, list[Delivery]]:
    token = secrets.token_hex(16)
    earlier_waiting = Delivery.objects.filter(
        subscription_id=OuterRef("subscription_id"), incident_id=OuterRef("incident_id"), pk__lt=OuterRef("pk")
    ).exclude(status=Delivery.Status.DELIVERED)
    with transaction.atomic():
        ready = Q(status=Delivery.Status.PENDING, next_attempt_on__lte=now) | Q(
            status=Delivery.Status.SENDING, claimed_until__lt=now
        )
        active = Subscription.objects.filter(status=Subscription.Status.ACTIVE).values("pk")
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(ready, subscription_id__in=active)
            .exclude(Exists(earlier_waiting))
            .order_by("next_attempt_on", "pk")[:batch_size]
        )
        for row in rows:
            row.attempts += 1
            row.status = Delivery.Status.SENDING
            row.claimed_until = now + lease()
            row.claim_token = token
        if rows:
            Delivery.objects.bulk_update(rows, ["attempts", "status", "claimed_until", "claim_token"])
    return token, rows


def deliver(batch_size: int = 50, now: datetime | None = None, max_batches: int = 100) -> dict[str, int]:
    """Send what is due. Returns counts of delivered and failed attempts."""
    counts = {"delivered": 0, "failed": 0}
    # What is due when the run starts: a row that fails now is retried by a later run, not this one.
    now = now or timezone.now()
    for _ in range(max_batches):
        token, rows = claim(batch_size, now)
        if not rows:
            break
        subscriptions = {s.pk: s for s in Subscription.objects.filter(pk__in={r.subscription_id for r in rows})}
        turned_off: set[int] = set()
        for row in rows:
            subscription = subscriptions[row.subscription_id]
            if subscription.pk in turned_off:
                release(row, token)  # turned off by an earlier row of this batch: it waits, untried
                continue
            if send(row, subscription, token):
                counts["delivered"] += 1
                continue
            counts["failed"] += 1
            if Subscription.objects.filter(pk=subscription.pk, status=Subscription.Status.DISABLED).exists():
                turned_off.add(subscription.pk)
    return counts


def release(row: Delivery, token: str) -> None:
    Delivery.objects.filter(pk=row.pk, claim_token=token).update(
        status=Delivery.Status.PENDING, attempts=F("attempts") - 1, claimed_until=None
    )


def prepare(row: Delivery, subscription: Subscription) -> str:
    """The row's body: built from its event on the first attempt, then kept, so every retry sends the same bytes."""
    if row.body:
        return row.body
    event = Event.objects.get(pk=int(row.event_id or 0))
    incident = Incident.objects.select_related("organisation").get(pk=int(row.incident_id or 0))
    row.body = signing.dumps(payloads.build(subscription, row.event_type, event, incident))
    Delivery.objects.filter(pk=row.pk, body="").update(body=row.body)
    return row.body


def send(row: Delivery, subscription: Subscription, token: str) -> bool:
    at = timezone.now()
    if row.incident_id is None or row.event_id is None:
        # The incident was disposed of (retention) before this could be sent: nothing to tell.
        Delivery.objects.filter(pk=row.pk, claim_token=token).update(
            status=Delivery.Status.DELIVERED, claimed_until=None, last_error="The incident no longer exists."
        )
        return True
    status_code: int | None = None
    error = ""
    duration = 0
    try:
        text = prepare(row, subscription)
        headers = signing.headers(sealed.unseal(subscription.secret_encrypted), row.webhook_id, at, text)
        response = net.post(subscription.url, text.encode(), headers)
        status_code, duration = response.status, response.duration_ms
        if not 200 <= status_code < 300:
            error = f"The address answered {status_code}" + (
                " (a redirect, not followed)" if 300 <= status_code < 400 else ""
            )
    except net.Refused as exc:
        error = f"Refused: {exc}"
    except Exception as exc:  # the network, TLS, a timeout: a failed attempt like any other
        error = f"{type(exc).__name__}: {exc}"
    error = error[:500]
    with transaction.atomic():
        Attempt.objects.create(delivery=row, at=at, status_code=status_code, error=error, duration_ms=duration)
        if not error:
            Delivery.objects.filter(pk=row.pk, claim_token=token).update(
                status=Delivery.Status.DELIVERED,
                delivered_on=timezone.now(),
                claimed_until=None,
                last_status_code=status_code,
                last_error="",
            )
            Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0, failing_since=None)
            return True
        Delivery.objects.filter(pk=row.pk, claim_token=token).update(
            status=Delivery.Status.PENDING,
            next_attempt_on=at + backoff(row.attempts),
            claimed_until=None,
            last_status_code=status_code,
            last_error=error,
        )
        failing = Subscription.objects.select_for_update().get(pk=subscription.pk)
        failing.consecutive_failures = F("consecutive_failures") + 1
        failing.failing_since = failing.failing_since or at
        failing.save(update_fields=["consecutive_failures", "failing_since"])
        failing.refresh_from_db()
        logger.warning("webhook %s attempt %s of delivery %s failed: %s", subscription.pk, row.attempts, row.pk, error)
        if should_disable(failing, at):
            disable(failing, at, error)
    return False


def should_disable(subscription: Subscription, now: datetime) -> bool:
    if subscription.status != Subscription.Status.ACTIVE or subscription.failing_since is None:
        return False
    return subscription.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES and (
        now - subscription.failing_since
    ) >= timedelta(seconds=settings.WEBHOOK_DISABLE_AFTER_SECONDS)


def disable(subscription: Subscription, now: datetime, error: str) -> None:
    """Turn the subscription off and tell the organisation's admins (inside the caller's transaction)."""
    Subscription.objects.filter(pk=subscription.pk).update(status=Subscription.Status.DISABLED, disabled_on=now)
    organisation = subscription.organisation
    record(
        organisation_id=organisation.pk,
        action="webhook.disabled",
        record=subscription,
        after={"failures": subscription.consecutive_failures, "last_error": error},
        reason=f"{subscription.consecutive_failures} attempts in a row failed; the last: {error}",
        at=now,
    )
    link = reverse("webhooks:detail", args=[organisation.uuid, subscription.uuid])
    tell(
        Occasion("webhook.disabled", organisation=organisation),
        link=link,
        context={
            "name": subscription.name,
            "failures": subscription.consecutive_failures,
            "error": error,
            "organisation_name": organisation.name,
        },
    )
