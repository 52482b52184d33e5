"""Draining the outbox: claim a batch, send each email, record the outcome.

Claiming takes rows with `select_for_update(skip_locked=True)` (on SQLite the
IMMEDIATE transaction serialises claims), marks them "sending" with a lease and a
token, and commits; so two workers never take the same row. Each row's outcome is
committed as soon as it is known, so a worker killed mid-batch loses nothing (its
claimed rows are taken again when the lease runs out) and repeats at most the one
email it was handing to the mail server at the moment it died. Every email carries a
Message-ID made from the row, so a mail system that sees it twice can tell.

A failed attempt is retried after 1, 2, 4 ... minutes (capped at 6 hours), up to
`MAX_ATTEMPTS`; then the row is "failed" and shown to the organisation's admins.
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import MAX_ATTEMPTS, Notification, Outbox

logger = logging.getLogger(__name__)


def lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "OUTBOX_LEASE_SECONDS", 300))


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    base = getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", 60)
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 6 * 60 * 60))


def claim(batch_size: int, now: datetime | None = None) -> tuple[str, list[Outbox]]:
    now = now or timezone.now()
    token = secrets.token_hex(16)
    with transaction.atomic():
        ready = Q(status=Outbox.Status.PENDING, next_attempt_on__lte=now) | Q(
            status=Outbox.Status.SENDING, claimed_until__lt=now
        )
        rows = list(
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(ready)
            .order_by("next_attempt_on", "pk")[:batch_size]
        )
        if rows:
            for row in rows:
                row.attempts += 1
                row.status = Outbox.Status.SENDING
                row.claimed_until = now + lease()
                row.claim_token = token
            Outbox.objects.bulk_update(rows, ["attempts", "status", "claimed_until", "claim_token"])
    return token, rows


def message_for(row: Outbox) -> EmailMultiAlternatives:
    domain = settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0] or "incident-desk.invalid"
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text,
        to=[row.to_address],
        # Auto-Submitted and X-Loop: autoresponders stay quiet, and mail intake (inbound.reading)
        # knows its own mail if it comes back.
        headers={"Message-ID": f"<{row.uuid}@{domain}>", "Auto-Submitted": "auto-generated", "X-Loop": domain},
    )
    if row.html:
        message.attach_alternative(row.html, "text/html")
    return message


def deliver(batch_size: int = 50, now: datetime | None = None, max_batches: int = 100) -> dict[str, int]:
    """Send what is due. Returns counts of sent, retrying and failed rows."""
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    for _ in range(max_batches):
        token, rows = claim(batch_size, now)
        if not rows:
            break
        connection = mailers.default
        try:
            connection.open()
        except Exception as exc:  # the mail server is down: every row in the batch failed this time
            for row in rows:
                counts[record_failure(row, token, exc)] += 1
            break
        try:
            for row in rows:
                try:
                    connection.send_messages([message_for(row)])
                except Exception as exc:
                    counts[record_failure(row, token, exc)] += 1
                    continue
                Outbox.objects.filter(pk=row.pk, claim_token=token).update(
                    status=Outbox.Status.SENT, sent_on=timezone.now(), claimed_until=None, last_error=""
                )
                counts["sent"] += 1
        finally:
            connection.close()
    return counts


def record_failure(row: Outbox, token: str, exc: BaseException) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    now = timezone.now()
    if row.attempts >= MAX_ATTEMPTS:
        outcome, status, next_attempt = "failed", Outbox.Status.FAILED, row.next_attempt_on
    else:
        outcome, status, next_attempt = "retrying", Outbox.Status.PENDING, now + backoff(row.attempts)
    Outbox.objects.filter(pk=row.pk, claim_token=token).update(
        status=status, next_attempt_on=next_attempt, claimed_until=None, last_error=error
    )
    logger.warning("email %s to %s: attempt %s %s (%s)", row.kind, row.to_address, row.attempts, outcome, error)
    return outcome


def send_digests(now: datetime | None = None) -> int:
    """One email per person with everything they chose to receive as a digest. Returns emails queued."""
    from .api import queue_email, render_email

    now = now or timezone.now()
    user_ids = sorted(set(Notification.objects.filter(digest_pending=True).values_list("user_id", flat=True)))
    queued = 0
    for user_id in user_ids:
        with transaction.atomic():
            items = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(user_id=user_id, digest_pending=True)
                .select_related("user")
                .order_by("created_on", "pk")
            )
            if not items:
                continue
            user = items[0].user
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(digest_pending=False)
            if not user.is_active or not user.email:
                continue
            message = render_email(
                "digest", context={"items": items}, recipient=user, link=settings.SITE_URL + "/notifications/"
            )
            key = f"digest:{user_id}:{items[0].pk}"
            queue_email(user.email, "digest", message, user=user, now=now, dedupe_key=key)
            queued += 1
    return queued
