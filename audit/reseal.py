"""Sealing what was stored in clear before decision 0038, for the migrations that bring it in.

`seal_columns` seals one table's clear columns under each row's incident key. `reseal_events`
seals the content of every event of a case and re-chains each organisation's record with the
sealed form, but only after the chain verifies as it is (as `audit.0004` did for the keyed
chain): a damaged record stops the migration instead of being laundered.
"""

from collections.abc import Callable
from typing import Any

from . import guards, keys, sealing
from .models import GENESIS_HASH, SEALED_CONTENT, canonical_json, event_content


def seal_columns(model: Any, columns: list[str], holder_of: Callable[[Any], tuple[Any, str] | None]) -> None:
    """Seal `columns` of every row of the (historical) `model`; `holder_of(row)` gives the row's
    incident as (uuid, wrapped key), or None to leave the row as it is.
    """
    table = model._meta.db_table
    for row in model.objects.order_by("pk").iterator():
        holder = holder_of(row)
        if holder is None:
            continue
        sealed = {}
        for column in columns:
            value = getattr(row, column)
            if value not in (None, "") and not sealing.is_sealed(value):
                field = model._meta.get_field(column)
                sealed[column] = sealing.seal(field.to_text(value), sealing.Holder(*holder), f"{table}.{field.column}")
        if sealed:
            model.objects.filter(pk=row.pk).update(**sealed)


def reseal_events(
    apps: Any, connection: Any, record_type: str, holder_of: Callable[[str], tuple[Any, str] | None]
) -> None:
    """Seal the events of cases of `record_type` and re-chain every organisation whose record holds one."""
    Event = apps.get_model("audit", "Event")
    ChainHead = apps.get_model("audit", "ChainHead")
    org_ids = sorted(
        set(
            Event.objects.filter(record_type=record_type)
            .order_by()
            .values_list("organisation_id", flat=True)
            .distinct()
        )
    )
    if not org_ids:
        return
    ring = keys.load()
    with guards.lifted(connection):
        for org_id in org_ids:
            events = list(Event.objects.filter(organisation_id=org_id).order_by("sequence"))
            previous_old, previous_new = GENESIS_HASH, GENESIS_HASH
            for position, event in enumerate(events, start=1):
                if (
                    event.sequence != position
                    or event.previous_hash != previous_old
                    or ring.sign(event.key_id, canonical_json(event_content(event)).encode()) != event.hash
                ):
                    raise RuntimeError(
                        f"The record of organisation {org_id} does not verify at position {position} (event id "
                        f"{event.pk}); its content is not sealed. Restore it from a backup or investigate "
                        "(python manage.py verify_events on the previous release) before migrating."
                    )
                previous_old = event.hash
                holder = holder_of(event.record_id) if event.record_type == record_type else None
                already = isinstance(event.before, dict) and set(event.before) == {"sealed"}
                if (
                    holder is not None
                    and not already
                    and (event.before is not None or event.after is not None or event.reason)
                ):
                    clear = {"before": event.before, "after": event.after, "reason": event.reason}
                    event.before = {
                        "sealed": sealing.seal(canonical_json(clear), sealing.Holder(*holder), SEALED_CONTENT)
                    }
                    event.after, event.reason = None, ""
                event.previous_hash = previous_new
                event.hash = ring.sign(event.key_id, canonical_json(event_content(event)).encode())
                previous_new = event.hash
                Event.objects.filter(pk=event.pk).update(
                    before=event.before,
                    after=event.after,
                    reason=event.reason,
                    previous_hash=event.previous_hash,
                    hash=event.hash,
                )
            head = ChainHead.objects.filter(organisation_id=org_id).first()
            if head is None or head.sequence != len(events) or head.hash != previous_old:
                raise RuntimeError(f"The chain head of organisation {org_id} does not match its last event.")
            ChainHead.objects.filter(organisation_id=org_id).update(hash=previous_new)
