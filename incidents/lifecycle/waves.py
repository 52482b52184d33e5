"""Waves of reports: related incidents, duplicates merged into one, tags.

    lifecycle.link_related(incident, by=user, other=other, reason="The same sender")
    lifecycle.merge(survivor, duplicates, by=user)          # each duplicate closed into the survivor
    lifecycle.change_tags(incident, by=user, add=[tag])

Each is a step of the table (`close_duplicate` and `take_duplicates`, `link_related`, `tag`):
who may take it, from which states. Each incident touched gets exactly one event:

- a link writes "related.linked" on both incidents, a change of tags "tags.changed" (named
  outside "incident.", like "note.added": they change no state, so the deadlines, the
  audience table and the webhooks, which hear "incident.", need not work anything out again);
- a merge writes "incident.closed_duplicate" on each duplicate and one
  "incident.duplicates_merged" on the survivor, naming the duplicates. What higher apps moved
  with each duplicate (its evidence, `registry.add_follower`) is written on both events, so
  the evidence's custody log shows "moved from" without an event of its own.

A merge is one transaction; each duplicate is closed in its own savepoint, so a duplicate the
table refuses is reported back (`Outcome.refused`) and the others still merge.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from core.exceptions import StepRefused
from lib import clock

from ..models import Incident, IncidentTag, KeptReporter, RelatedLink, Tag
from ..registry import follow
from .common import Status, event, need, need_reason, refresh
from .common import locked as _lock
from .table import check


@dataclass
class Outcome:
    """What a step over several incidents did: those it was taken on, and those refused with why."""

    done: list[Incident] = field(default_factory=list)
    refused: list[tuple[Incident, str]] = field(default_factory=list)

    def refusals(self) -> list[tuple[str, list[Incident]]]:
        """The refusals grouped by their words, most frequent first."""
        grouped: dict[str, list[Incident]] = {}
        for incident, words in self.refused:
            grouped.setdefault(words, []).append(incident)
        return sorted(grouped.items(), key=lambda item: -len(item[1]))


# ── Related incidents ────────────────────────────────────────────────────────────────────


def link_related(incident: Incident, *, by: Any, other: Incident, reason: str) -> RelatedLink:
    """Say that `incident` and `other` are related, and why; one event on each."""
    reason = need_reason(reason, "Say why the incidents are related.")
    need(other.pk != incident.pk, "An incident cannot be related to itself.")
    with transaction.atomic():
        # Both locked, the lower id first, so two people linking the same pair cannot deadlock.
        first, second = sorted([incident, other], key=lambda i: i.pk)
        locked_first, locked_second = _lock(first), _lock(second)
        this, that = (locked_first, locked_second) if first.pk == incident.pk else (locked_second, locked_first)
        check("link_related", this, this.powers_of(by))
        check("link_related", that, that.powers_of(by))
        already = RelatedLink.objects.filter(Q(incident=this, related=that) | Q(incident=that, related=this)).exists()
        need(not already, f"{this.reference} and {that.reference} are already linked.")
        link = RelatedLink.objects.create(
            incident=this, related=that, reason=reason, linked_by=by, linked_on=clock.now()
        )
        event(this, "related.linked", by, after={"related": that.reference}, reason=reason)
        event(that, "related.linked", by, after={"related": this.reference}, reason=reason)
    return link


# ── Duplicates ───────────────────────────────────────────────────────────────────────────


def merge(survivor: Incident, duplicates: Iterable[Incident], *, by: Any, reason: str = "") -> Outcome:
    """Close each of `duplicates` as a duplicate of `survivor`, moving what follows it.

    The survivor itself, if among `duplicates`, is passed over. Each duplicate's reporter is
    kept as a reporter of the survivor (`KeptReporter`); the reporter is told of the closure
    as of any closure (the audience table's reporter news).
    """
    outcome = Outcome()
    reason = (reason or "").strip()
    with transaction.atomic():
        kept = _lock(survivor)
        check("take_duplicates", kept, kept.powers_of(by))
        now = clock.now()
        merged: list[dict[str, Any]] = []
        moved_here: dict[str, dict[str, str]] = {}
        reporters = 0
        for incident in duplicates:
            if incident.pk == kept.pk:
                continue
            try:
                with transaction.atomic():
                    moved, kept_one = _close_duplicate(incident, kept, by, reason, now)
            except StepRefused as refused:
                outcome.refused.append((incident, str(refused)))
                continue
            outcome.done.append(incident)
            merged.append({"id": incident.pk, "reference": incident.reference})
            reporters += kept_one
            for kind, items in moved.items():
                for item in items:
                    moved_here.setdefault(kind, {})[str(item)] = str(incident.reference)
        if merged:
            event(
                kept,
                "incident.duplicates_merged",
                by,
                after={"duplicates": merged, "reporters_kept": reporters, **moved_here},
                reason=reason,
            )
    refresh(survivor, kept)
    return outcome


def _close_duplicate(incident: Incident, survivor: Incident, by: Any, reason: str, now: Any) -> tuple[dict, int]:
    locked = _lock(incident)
    check("close_duplicate", locked, locked.powers_of(by))
    need(
        locked.organisation_id == survivor.organisation_id,
        f"{locked.reference} is another organisation's: only reports of one organisation are merged.",
    )
    before = locked.status
    moved = follow(locked, survivor, by)
    kept = 0
    # A named or confidential reporter (not the survivor's own) is kept as a reporter of the survivor.
    reporter = locked.reported_by_id
    if reporter is not None and not locked.reporter_anonymous and reporter != survivor.reported_by_id:
        # New: the duplicate was open until now, so nobody was kept from it yet.
        KeptReporter.objects.create(
            incident=survivor, person_id=reporter, duplicate=locked, confidential=locked.reporter_confidential
        )
        kept = 1
    # Reporters kept on this incident by an earlier merge follow it on.
    KeptReporter.objects.filter(incident=locked).update(incident=survivor)
    locked.status = Status.CLOSED_DUPLICATE
    locked.duplicate_of = survivor
    locked.closed_on = now
    locked.save(update_fields=["status", "duplicate_of", "closed_on", "updated_on"])  # what the merge changes
    event(
        locked,
        "incident.closed_duplicate",
        by,
        before={"status": before},
        after={"status": locked.status, "duplicate_of": survivor.reference, **moved},
        reason=reason,
    )
    refresh(incident, locked)
    return moved, int(kept)


def close_as_duplicate(incident: Incident, *, by: Any, survivor: Incident, reason: str = "") -> None:
    """Close one incident as a duplicate of `survivor` (the incident page's step)."""
    need(incident.pk != survivor.pk, "An incident cannot be a duplicate of itself.")
    outcome = merge(survivor, [incident], by=by, reason=reason)
    if outcome.refused:
        raise StepRefused(outcome.refused[0][1])


# ── Tags ─────────────────────────────────────────────────────────────────────────────────


def change_tags(incident: Incident, *, by: Any, add: Iterable[Tag] = (), remove: Iterable[Tag] = ()) -> None:
    """File the incident under `add` and take it off `remove`; one event, refused if nothing changes."""
    add, remove = list(add), list(remove)
    with transaction.atomic():
        locked = _lock(incident)
        check("tag", locked, locked.powers_of(by))
        ancestors = set(locked.organisation.ancestor_ids())
        need(
            all(tag.organisation_id in ancestors and tag.is_active for tag in add),
            "Choose a tag of this incident's organisation or an organisation above it.",
        )
        current = dict(IncidentTag.objects.filter(incident=locked).values_list("tag_id", "tag__name"))
        adding = [tag for tag in add if tag.pk not in current]
        removing = [tag for tag in remove if tag.pk in current]
        if add and not remove:
            need(bool(adding), "It already has " + ("this tag." if len(add) == 1 else "these tags."))
        elif remove and not add:
            need(bool(removing), "It does not have " + ("this tag." if len(remove) == 1 else "these tags."))
        need(bool(adding or removing), "Nothing has changed: its tags are already these.")
        now = clock.now()
        IncidentTag.objects.bulk_create(
            [IncidentTag(incident=locked, tag=tag, tagged_by=by, tagged_on=now) for tag in adding]
        )
        if removing:
            IncidentTag.objects.filter(incident=locked, tag__in=removing).delete()
        after = (set(current.values()) | {tag.name for tag in adding}) - {tag.name for tag in removing}
        event(
            locked,
            "tags.changed",
            by,
            before={"tags": sorted(current.values())},
            after={"tags": sorted(after)},
        )
    refresh(incident, locked)
