"""Checking the record: every chain, the latest checkpoint, and what other apps register.

For each organisation that has events, a chain head or a place in the checkpoint:
- every event's HMAC is recomputed with the key it names (an edited event, or a chain
  edited and rehashed by someone without the key, fails here; so does a forged event);
- positions run 1, 2, 3 … without a gap and each event links to the one before;
- the head row matches the last event (a deleted head row, deleted last events);
- the chain still reaches the position and hash the checkpoint shows (a whole chain
  deleted, a tail cut off with its head row pointed back).
Then each registered integrity check runs (evidence/ registers one that re-hashes every
evidence file's stored bytes). audit imports no domain app: they register here.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from . import checkpoint as checkpoints
from . import keys, sealing
from .models import GENESIS_HASH, ChainHead, Event, canonical_json


@dataclass
class Break:
    organisation_id: int | None
    sequence: int | None
    event_id: int | None
    problem: str

    def describe(self) -> str:
        where = []
        if self.organisation_id is not None:
            where.append(f"organisation {self.organisation_id}")
        if self.sequence is not None:
            where.append(f"position {self.sequence}")
        if self.event_id is not None:
            where.append(f"event id {self.event_id}")
        elif self.sequence is not None:
            where.append("the end of the chain")
        return (", ".join(where) + ": " if where else "") + self.problem


@dataclass
class CheckResult:
    """What one registered integrity check looked at, and what it found wrong."""

    what: str  # plural noun, e.g. "evidence files"
    checked: int
    breaks: list[Break] = field(default_factory=list)
    # Worth knowing, not wrong (files not yet sealed, files of disposed incidents).
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    events: int = 0
    chains: int = 0
    checkpoint: checkpoints.Checkpoint | None = None
    checks: list[CheckResult] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks


INTEGRITY_CHECKS: list[Callable[[], CheckResult]] = []


def add_integrity_check(check: Callable[[], CheckResult]) -> None:
    """Register a check that `verify_events` runs after the chains (called from an app's ready())."""
    if check not in INTEGRITY_CHECKS:
        INTEGRITY_CHECKS.append(check)


def verify_all(
    *,
    batch_size: int = 2000,
    checkpoint_path: Path | None = None,
    stop_at_first: bool = False,
    run_checks: bool = True,
) -> Report:
    report = Report()
    path = checkpoint_path or checkpoints.default_path()
    try:
        report.checkpoint = checkpoints.read(path)
    except checkpoints.CheckpointError as exc:
        report.breaks.append(Break(None, None, None, str(exc)))
        if stop_at_first:
            return report
    if report.checkpoint is None and (checkpoint_path is not None or settings.RECORD_CHECKPOINT_REQUIRED):
        report.breaks.append(
            Break(None, None, None, f"there is no checkpoint at {path}, so deleted chains and cut tails cannot be seen")
        )
        if stop_at_first:
            return report
    expected = report.checkpoint.heads if report.checkpoint else {}
    ring = keys.load()
    org_ids = set(Event.objects.order_by().values_list("organisation_id", flat=True).distinct())
    org_ids |= set(ChainHead.objects.filter(sequence__gt=0).values_list("organisation_id", flat=True))
    org_ids |= set(expected)
    for org_id in sorted(org_ids):
        report.chains += 1
        checked, broken = _verify_chain(org_id, ring, expected.get(org_id), report.checkpoint, batch_size)
        report.events += checked
        if broken is not None:
            report.breaks.append(broken)
            if stop_at_first:
                return report
    if run_checks:
        for check in INTEGRITY_CHECKS:
            result = check()
            report.checks.append(result)
            report.breaks += result.breaks
            if stop_at_first and result.breaks:
                return report
    return report


def verify(batch_size: int = 2000) -> tuple[int, Break | None]:
    """Check everything; (events checked before the first break, first break or None)."""
    report = verify_all(batch_size=batch_size, stop_at_first=True)
    return report.events, (report.breaks[0] if report.breaks else None)


def _verify_chain(
    org_id: int,
    ring: keys.KeyRing,
    expected: tuple[int, str] | None,
    checkpoint: checkpoints.Checkpoint | None,
    batch_size: int,
) -> tuple[int, Break | None]:
    checked = 0
    previous = GENESIS_HASH
    position = 0
    reached: str | None = None  # the hash at the checkpoint's position, once passed
    for event in _chain(org_id, batch_size):
        if event.sequence != position + 1:
            return checked, Break(org_id, position + 1, event.pk, "an event is missing from the chain")
        if event.previous_hash != previous:
            return checked, Break(org_id, event.sequence, event.pk, "the link to the previous event is broken")
        if event.key_id not in ring.keys:
            return checked, Break(
                org_id, event.sequence, event.pk, "the event names a key that is not in the keys file (forged)"
            )
        if ring.sign(event.key_id, canonical_json(event.content()).encode()) != event.hash:
            return checked, Break(org_id, event.sequence, event.pk, "the event was changed after it was written")
        previous = event.hash
        position = event.sequence
        checked += 1
        if expected is not None and position == expected[0]:
            reached = event.hash
    head = ChainHead.objects.filter(organisation_id=org_id).first()
    if head is None and position:
        return checked, Break(org_id, position + 1, None, "the chain's head row is missing")
    if head is not None and (head.sequence != position or head.hash != previous):
        return checked, Break(org_id, position + 1, None, "events after this point are missing")
    if expected is not None and checkpoint is not None:
        when = checkpoint.describe()
        if position == 0:
            return checked, Break(
                org_id, None, None, f"the whole chain is missing (the checkpoint of {when} shows {expected[0]} events)"
            )
        if position < expected[0]:
            return checked, Break(
                org_id,
                position + 1,
                None,
                f"events from here on were removed (the checkpoint of {when} shows {expected[0]} events)",
            )
        if reached != expected[1]:
            return checked, Break(
                org_id,
                expected[0],
                None,
                f"the chain was rewritten: this position no longer matches the checkpoint of {when}",
            )
    return checked, None


def _chain(org_id: int, batch_size: int) -> Iterator[Event]:
    last = 0
    while True:
        with sealing.as_stored():  # the chain covers what is stored: no data key is needed
            batch = list(
                Event.objects.filter(organisation_id=org_id, sequence__gt=last).order_by("sequence")[:batch_size]
            )
        if not batch:
            return
        yield from batch
        last = batch[-1].sequence
