"""Writing and checking the record.

`record()` must be called inside the transaction that makes the change, so the change
and its event commit or roll back together.
"""

from datetime import datetime
from typing import Any

from django.db import models, transaction

from lib import clock
from lib.request_context import request_id

from . import keys
from .models import ChainHead, Event, normalise, seal_content
from .verify import Break, verify

__all__ = ["Break", "events_for", "label", "record", "verify"]


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
        created_on=at or clock.now(),
        request_id=request_id.get(),
        previous_hash=head.hash,
        key_id=keys.load().current,
    )
    if record is not None and hasattr(record, "content_key"):
        seal_content(event, record)  # type: ignore[arg-type]
    stored = getattr(event, "_stored", None)
    if stored is None:
        event.hash = event.compute_hash()
        event.save(force_insert=True)
    else:
        clear = (event.before, event.after, event.reason)
        event.before, event.after, event.reason = stored
        event.save(force_insert=True)
        event.before, event.after, event.reason = clear
    ChainHead.objects.filter(pk=head.pk).update(sequence=event.sequence, hash=event.hash)
    return event


def events_for(obj: models.Model) -> models.QuerySet[Event]:
    """Every event of the case `obj`, oldest first: its timeline."""
    return Event.objects.filter(record_type=label(obj), record_id=str(obj.pk)).select_related("actor")
