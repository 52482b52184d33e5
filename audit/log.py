"""Writing and checking the record.

`record()` must be called inside the transaction that makes the change, so the change
and its event commit or roll back together.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from lib.request_context import request_id

from .models import GENESIS_HASH, ChainHead, Event, normalise


def label(obj: models.Model) -> str:
    return obj._meta.label_lower


def record(
    *,
    organisation_id: int,
    action: str,
    actor: Any = None,
    record: models.Model | None = None,
    target: models.Model | None = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
    at: datetime | None = None,
) -> Event:
    """Append one event to the organisation's chain. Call inside the change's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the transaction that makes the change")
    target = target if target is not None else record
    # Lock this organisation's chain head: appends to one chain are serialised, other chains are not.
    head, _ = ChainHead.objects.select_for_update().get_or_create(organisation_id=organisation_id)
    event = Event(
        organisation_id=organisation_id,
        sequence=head.sequence + 1,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        record_type=label(record) if record is not None else "",
        record_id=str(record.pk) if record is not None else "",
        target_type=label(target) if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        before=normalise(before),
        after=normalise(after),
        reason=reason,
        created_on=at or timezone.now(),
        request_id=request_id.get(),
        previous_hash=head.hash,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    ChainHead.objects.filter(pk=head.pk).update(sequence=event.sequence, hash=event.hash)
    return event


def events_for(obj: models.Model) -> models.QuerySet[Event]:
    """Every event of the case `obj`, oldest first: its timeline."""
    return Event.objects.filter(record_type=label(obj), record_id=str(obj.pk)).select_related("actor")


@dataclass
class Break:
    organisation_id: int
    sequence: int
    event_id: int | None
    problem: str


def verify(batch_size: int = 2000) -> tuple[int, Break | None]:
    """Recompute every chain. Returns (events checked, first break or None)."""
    checked = 0
    org_ids = Event.objects.order_by().values_list("organisation_id", flat=True).distinct()
    for org_id in sorted(set(org_ids)):
        previous = GENESIS_HASH
        expected_sequence = 1
        for event in _chain(org_id, batch_size):
            if event.sequence != expected_sequence:
                return checked, Break(org_id, expected_sequence, event.pk, "an event is missing from the chain")
            if event.previous_hash != previous:
                return checked, Break(org_id, event.sequence, event.pk, "the link to the previous event is broken")
            if event.compute_hash() != event.hash:
                return checked, Break(org_id, event.sequence, event.pk, "the event was changed after it was written")
            previous = event.hash
            expected_sequence += 1
            checked += 1
        head = ChainHead.objects.filter(organisation_id=org_id).first()
        if head is None or head.sequence != expected_sequence - 1 or head.hash != previous:
            return checked, Break(org_id, expected_sequence, None, "events after this point are missing")
    return checked, None


def _chain(org_id: int, batch_size: int) -> Iterator[Event]:
    last = 0
    while True:
        batch = list(Event.objects.filter(organisation_id=org_id, sequence__gt=last).order_by("sequence")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].sequence
