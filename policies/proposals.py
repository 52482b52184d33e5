"""Proposed changes to a policy (policies 000-002, "How do I suggest a change?").

    propose(policy=policy, point=point_or_None, by=user, change=..., reason=..., source=...)
    accept(proposal, by=owner)               # it goes into the next draft
    reject(proposal, by=owner, reason="...")
    defer(proposal, by=owner, reason="...")  # decided again later
    for_next_draft(policy)                   # what the draft page lists

Anyone with a role where the policy applies may propose; the policy's owner (the holders of
`Policy.owner_role` at its organisation or above: `Powers.can_decide_proposals`) decides, and
the proposer is told. A proposal raised from an outcome report's lessons or from a six-month
type review carries that source's name and link (`Source`), found by `source_from` only if the
person may see the source.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse

from audit.log import record
from core.exceptions import StepRefused
from incidents.models import Incident
from lib import clock
from notifications.audiences import Occasion, tell
from organisations.powers import powers

from .exceptions import applicable_versions
from .models import ChangeProposal, Policy, PolicyPoint


@dataclass(frozen=True)
class Source:
    """Where a proposal came from: its kind, its uuid, how it is named and where it is."""

    kind: str
    key: str
    label: str
    url: str


# kind -> finder(user, key) -> Source, or None when the user may not see it (or it is not there).
Finder = Callable[[Any, str], Source | None]
_finders: dict[str, Finder] = {}


def add_source(kind: str, finder: Finder) -> None:
    _finders[kind] = finder


def source_from(user: Any, kind: str, key: str) -> Source | None:
    finder = _finders.get(kind)
    return finder(user, key) if finder is not None and key else None


def _outcome_report(user: Any, key: str) -> Source | None:
    """An incident's outcome report, by the incident's uuid, if `user` sees the incident and it has one."""
    incident = (
        Incident.objects.visible_to(user).filter(uuid=key, outcome_report__isnull=False).first()
        if _is_uuid(key)
        else None
    )
    if incident is None:
        return None
    return Source(
        "outcome_report",
        str(incident.uuid),
        f"Lessons in the outcome report of {incident.reference}",
        reverse("incidents:detail", args=[incident.uuid]),
    )


def _is_uuid(key: str) -> bool:
    import uuid

    try:
        uuid.UUID(key)
    except ValueError:
        return False
    return True


add_source("outcome_report", _outcome_report)


def _person(user: Any) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


def may_propose(user: Any, policy: Policy) -> bool:
    """Anyone with a role at the policy's organisation, above it or beneath it (where it applies)."""
    if powers(user, policy.organisation).roles:
        return True
    from organisations.powers import paths_where

    return any(path.startswith(policy.organisation.path) for path in paths_where(user))


def _tell(name: str, proposal: ChangeProposal, actor: Any) -> None:
    policy = proposal.policy
    outcomes: dict[str, tuple[str, str]] = {
        ChangeProposal.Status.ACCEPTED: ("accepted", ": it goes into the next draft."),
        ChangeProposal.Status.REJECTED: ("rejected", "."),
        ChangeProposal.Status.DEFERRED: ("deferred", ": it will be decided later."),
    }
    verb, tail = outcomes.get(proposal.status, ("", "."))
    tell(
        Occasion(
            name,
            organisation=policy.organisation,
            actor=actor,
            person=proposal.proposed_by,
            after={"owner_role": policy.owner_role},
        ),
        link=reverse("proposals:detail", args=[proposal.uuid]),
        context={
            "policy_title": policy.title,
            "proposer": _person(proposal.proposed_by),
            "decider": _person(proposal.decided_by),
            "outcome": verb,
            "outcome_sentence": f"{verb} your suggested change to {policy.title}{tail}",
            "reason": proposal.decision_reason,
        },
    )


def propose(
    *,
    policy: Policy,
    by: Any,
    change: str,
    reason: str,
    point: PolicyPoint | None = None,
    source: Source | None = None,
) -> ChangeProposal:
    """Suggest a change to `point` of `policy` (or a new point, with no point); its owner is told."""
    if not may_propose(by, policy):
        raise StepRefused("You can suggest a change only to a policy that applies where you have a role.")
    if point is not None and point.version.policy_id != policy.pk:
        raise StepRefused("That point is not part of this policy.")
    if not change.strip():
        raise StepRefused("Say what change you suggest.")
    if not reason.strip():
        raise StepRefused("Say why the policy should change.")
    with transaction.atomic():
        proposal = ChangeProposal.objects.create(
            policy=policy,
            point=point,
            change=change.strip(),
            reason=reason.strip(),
            proposed_by=by,
            proposed_on=clock.now(),
            source_kind=source.kind if source else "",
            source_key=source.key if source else "",
            source_label=source.label if source else "",
            source_url=source.url if source else "",
        )
        record(
            organisation_id=policy.organisation_id,
            action="proposal.made",
            actor=by,
            record=proposal,
            target=point or policy,
            after={
                "status": proposal.status,
                "point": point.pk if point else None,
                "source": f"{source.kind}:{source.key}" if source else "",
            },
            reason=proposal.reason,
        )
        _tell("proposal.made", proposal, by)
    return proposal


def _decide(proposal: ChangeProposal, *, by: Any, status: str, reason: str) -> None:
    with transaction.atomic():
        locked = ChangeProposal.objects.select_for_update().select_related("policy__organisation").get(pk=proposal.pk)
        if not powers(by, locked.policy.organisation).can_decide_proposals(locked.policy.owner_role):
            raise StepRefused("Only the policy's owner can decide a suggested change.")
        if not locked.is_open:
            raise StepRefused("This suggestion has already been decided.")
        if status == locked.status:
            raise StepRefused("This suggestion is already deferred.")
        before = {"status": locked.status}
        locked.status = status
        locked.decided_by = by
        locked.decided_on = clock.now()
        locked.decision_reason = reason.strip()
        locked.save(update_fields=["status", "decided_by", "decided_on", "decision_reason"])
        action = f"proposal.{status}"
        record(
            organisation_id=locked.policy.organisation_id,
            action=action,
            actor=by,
            record=locked,
            before=before,
            after={"status": status},
            reason=locked.decision_reason,
        )
        _tell(action, locked, by)
    proposal.refresh_from_db()


def accept(proposal: ChangeProposal, *, by: Any, reason: str = "") -> None:
    """Accept: the change goes into the policy's next draft (`for_next_draft`)."""
    _decide(proposal, by=by, status=ChangeProposal.Status.ACCEPTED, reason=reason)


def reject(proposal: ChangeProposal, *, by: Any, reason: str = "") -> None:
    if not reason.strip():
        raise StepRefused("Say why the suggestion is rejected.")
    _decide(proposal, by=by, status=ChangeProposal.Status.REJECTED, reason=reason)


def defer(proposal: ChangeProposal, *, by: Any, reason: str = "") -> None:
    """Put off the decision (to the policy's next review, say): it stays open."""
    _decide(proposal, by=by, status=ChangeProposal.Status.DEFERRED, reason=reason)


def for_next_draft(policy: Policy) -> Any:
    """Accepted proposals not yet taken into a draft: the list the draft page shows."""
    return (
        ChangeProposal.objects.filter(policy=policy, status=ChangeProposal.Status.ACCEPTED, taken_into__isnull=True)
        .select_related("point", "proposed_by")
        .order_by("decided_on", "id")
    )


def policies_open_to(user: Any, organisations: Any) -> list[Policy]:
    """The policies applying to any of `organisations` (where the person has a role)."""
    seen: dict[int, Policy] = {}
    for organisation in organisations:
        for version in applicable_versions(organisation):
            seen.setdefault(version.policy.pk, version.policy)
    return sorted(seen.values(), key=lambda p: (p.organisation.path, p.title))


def _type_review(user: Any, key: str) -> Source | None:
    """A six-month type review, if `user` sees it (insights.review's rule)."""
    from insights.review import visible_reviews

    found = visible_reviews(user).filter(uuid=key).first() if _is_uuid(key) else None
    if found is None:
        return None
    return Source(
        "type_review",
        str(found.uuid),
        f"The six-month type review to {found.period_end:%-d %B %Y}",
        reverse("insights:review", args=[found.uuid]),
    )


add_source("type_review", _type_review)
