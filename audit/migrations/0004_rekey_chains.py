"""Re-key every existing chain: each event's plain SHA-256 becomes an HMAC with the record's key.

Each chain is first checked with the old hash; a chain that does not verify stops the
migration (re-keying it would hide the damage): restore it from a backup, or investigate,
first. Then each event gets the current key id, the new previous hash and its HMAC, in
chain order, and the head row follows. The guards are lifted for this one rewrite only.
"""

import hashlib
import json
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations

from audit import guards, keys
from audit.models import event_content

GENESIS_HASH = "0" * 64


def canonical_json(value):  # type: ignore[no-untyped-def]
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)


def legacy_hash(event) -> str:  # type: ignore[no-untyped-def]
    """The hash before this migration (audit/models.py until December 2026), frozen here."""
    content = {
        "organisation": event.organisation_id,
        "sequence": event.sequence,
        "actor": event.actor_id,
        "action": event.action,
        "record_type": event.record_type,
        "record_id": event.record_id,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "created_on": event.created_on.astimezone(UTC).isoformat(timespec="microseconds"),
        "request_id": event.request_id,
        "previous_hash": event.previous_hash,
    }
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Event = apps.get_model("audit", "Event")
    ChainHead = apps.get_model("audit", "ChainHead")
    connection = schema_editor.connection
    if not Event.objects.exists():
        return
    ring = keys.load()
    org_ids = sorted(set(Event.objects.order_by().values_list("organisation_id", flat=True).distinct()))
    with guards.lifted(connection):
        for org_id in org_ids:
            events = list(Event.objects.filter(organisation_id=org_id).order_by("sequence"))
            old_previous, new_previous = GENESIS_HASH, GENESIS_HASH
            updates = []
            for position, event in enumerate(events, start=1):
                if (
                    event.sequence != position
                    or event.previous_hash != old_previous
                    or legacy_hash(event) != event.hash
                ):
                    raise RuntimeError(
                        f"The record of organisation {org_id} does not verify at position {position} "
                        f"(event id {event.pk}); it is not re-keyed. Restore it from a backup or investigate "
                        "(python manage.py verify_events on the previous release) before migrating."
                    )
                old_previous = event.hash
                event.key_id = ring.current
                event.previous_hash = new_previous
                event.hash = ring.sign(ring.current, canonical_json(event_content(event)).encode())
                new_previous = event.hash
                updates.append((event.key_id, event.previous_hash, event.hash, event.pk))
            with connection.cursor() as cursor:
                cursor.executemany(
                    "UPDATE audit_event SET key_id = %s, previous_hash = %s, hash = %s WHERE id = %s", updates
                )
            head = ChainHead.objects.filter(organisation_id=org_id).first()
            if head is None or head.sequence != len(events) or head.hash != old_previous:
                raise RuntimeError(f"The chain head of organisation {org_id} does not match its last event.")
            ChainHead.objects.filter(organisation_id=org_id).update(hash=new_previous)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_event_key_id_and_guards")]
    # Re-keying is one way: the old hashes are not kept.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
