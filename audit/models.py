"""The record: an append-only, hash-chained log of everything that happened.

Generic on purpose: an event names the case it belongs to (`record_type`, `record_id`,
e.g. an incident) and the object it touched (`target_type`, `target_id`, e.g. a piece of
evidence), as strings, so this app imports no domain app.

There is one chain per organisation, so reports in different schools never wait on one
lock. Each event's hash is an HMAC-SHA256, with a key kept outside the database
(`audit/keys.py`), of its content and the previous event's hash in its chain;
`manage.py verify_events` recomputes every chain and compares the heads with the latest
signed checkpoint (`audit/checkpoint.py`). On both engines triggers refuse UPDATE and
DELETE on events and DELETE or moving back of chain heads (`audit/guards.py`).
"""

import json
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from . import keys, sealing

GENESIS_HASH = "0" * 64

# Plain-English descriptions of actions for timelines, registered by the apps that write them.
ACTION_DESCRIPTIONS: dict[str, str] = {}


def describe_action(action: str, description: str) -> None:
    ACTION_DESCRIPTIONS[action] = description


def normalise(value: Any) -> Any:
    """What a JSON column gives back for `value`: dates as ISO strings, tuples as lists."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)


class ChainHead(models.Model):
    """The latest link of one organisation's chain, locked while an event is appended."""

    organisation = models.OneToOneField("organisations.Organisation", on_delete=models.PROTECT, primary_key=True)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"chain {self.organisation_id} at {self.sequence}"


class Event(models.Model):
    """One thing that happened: who did what to which object, when, with before and after.

    Never updated or deleted. `sequence` numbers the events of one organisation's chain
    from 1; `previous_hash` is the hash of the event before it in that chain.
    """

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveBigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=60)
    record_type = models.CharField(max_length=60, blank=True)
    record_id = models.CharField(max_length=64, blank=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_on = models.DateTimeField()
    request_id = models.CharField(max_length=32, blank=True)
    previous_hash = models.CharField(max_length=64)
    # The id of the key (in RECORD_KEYS_FILE) that `hash` was made with.
    key_id = models.CharField(max_length=40)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sequence"], name="one_event_per_chain_position")
        ]
        indexes = [models.Index(fields=["record_type", "record_id", "created_on"], name="event_record_idx")]
        ordering = ["created_on", "id"]

    def __str__(self) -> str:
        return f"{self.action} #{self.organisation_id}/{self.sequence}"

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, *, fetch_mode: Any = None) -> "Event":
        event = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        open_content(event)
        return event

    def describe(self) -> str:
        return ACTION_DESCRIPTIONS.get(self.action, self.action.replace(".", ": ").replace("_", " ").capitalize())

    def content(self) -> dict[str, Any]:
        """Everything the hash covers, as plain JSON values."""
        return event_content(self)

    def compute_hash(self) -> str:
        """The HMAC of this event's content with its key; KeyError if the key is not in the keys file."""
        return keys.load().sign(self.key_id, canonical_json(self.content()).encode())


SEALED_CONTENT = "audit_event.content"


def seal_content(event: "Event", holder: sealing.KeyHolder) -> None:
    """Seal an unsaved event's before, after and reason under its case's data key, as one value.

    The hash then covers the sealed form (decision 0038), so the record stays provable once the
    key is destroyed; the event object keeps its clear content for whoever made it.
    """
    if event.before is None and event.after is None and not event.reason:
        return
    token = sealing.seal(
        canonical_json({"before": event.before, "after": event.after, "reason": event.reason}), holder, SEALED_CONTENT
    )
    event._stored = ({"sealed": token}, None, "")  # type: ignore[attr-defined]
    event.hash = event.compute_hash()


def open_content(event: "Event") -> None:
    """Open a sealed event just read: clear before, after and reason; `disposed` if its key is gone.

    A row read without its content (`only()`/`defer()`) is left as it is: asking for a deferred
    field here would read the row again, which opens it again, without end.
    """
    if {"before", "after", "reason"} & event.get_deferred_fields():
        return
    if not (
        isinstance(event.before, dict) and set(event.before) == {"sealed"} and sealing.is_sealed(event.before["sealed"])
    ):
        return
    event._stored = (event.before, event.after, event.reason)  # type: ignore[attr-defined]
    if not sealing.opening():
        return
    text = sealing.open_text(event.before["sealed"], SEALED_CONTENT)
    if text is None:
        event.disposed = True  # type: ignore[attr-defined]
        event.before, event.after, event.reason = None, None, ""
        return
    content = json.loads(text)
    event.before, event.after, event.reason = content["before"], content["after"], content["reason"]


def event_content(event: Any) -> dict[str, Any]:
    """What an event's HMAC covers (also used by the migration that re-keyed the old chains).

    For a sealed event, its stored (sealed) form, never its clear content.
    """
    before, after, reason = getattr(event, "_stored", None) or (event.before, event.after, event.reason)
    return {
        "organisation": event.organisation_id,
        "sequence": event.sequence,
        "actor": event.actor_id,
        "action": event.action,
        "record_type": event.record_type,
        "record_id": event.record_id,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "before": before,
        "after": after,
        "reason": reason,
        "created_on": event.created_on.astimezone(UTC).isoformat(timespec="microseconds"),
        "request_id": event.request_id,
        "previous_hash": event.previous_hash,
        "key_id": event.key_id,
    }
