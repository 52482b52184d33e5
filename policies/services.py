"""The steps of a policy's life, each atomic, each one event on the record.

    start_policy(organisation, by=…)              a draft version 1 from the built-in template
    draft_next(policy, by=…)                      a draft copied from the version in force, keys kept
    add_point / change_point / remove_point / move_point    the admin edits a draft
    change_version(version, by=…, …)              its summary of changes and review date
    approve(version, by=…)                        the SIRO or DPO approves, in their named role
    publish(version, by=…, review_by=…)           in force; the one before superseded; readers told
    acknowledge(version, by=…)                    a reader says they have read it

Who may take each step is `organisations.powers.Powers` (`can_manage_policies`,
`can_approve_policies`); a refused step raises `core.exceptions.StepRefused`, which the pages
show as a form error. Changing an approved version's points sends it back to draft, so the
version published is the version approved.
"""

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse

from audit.log import record
from core.exceptions import StepRefused
from lib import clock
from notifications.audiences import Occasion, tell
from organisations.models import Organisation, Role
from organisations.powers import powers

from . import template
from .inheritance import readers_of
from .models import Acknowledgement, ChangeProposal, Policy, PolicyPoint, PolicyVersion

Status = PolicyVersion.Status
# A published version is reviewed a year later unless the publisher chooses another date.
REVIEW_AFTER_DAYS = 365


def default_review_date(today: date | None = None) -> date:
    today = today or clock.now().date()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today + timedelta(days=REVIEW_AFTER_DAYS)


def _must_manage(user: Any, organisation: Organisation) -> None:
    if not powers(user, organisation).can_manage_policies:
        raise StepRefused("Only an organisation admin may change its policies.")


def _editable(version: PolicyVersion) -> None:
    if not version.is_editable:
        raise StepRefused("A published version cannot be changed: start a new draft instead.")


def _locked(version: PolicyVersion) -> PolicyVersion:
    return PolicyVersion.objects.select_for_update().select_related("policy", "policy__organisation").get(pk=version.pk)


def _event(version: PolicyVersion, action: str, by: Any, **fields: Any) -> None:
    record(
        organisation_id=version.policy.organisation_id,
        action=action,
        actor=by,
        record=version.policy,
        target=fields.pop("target", version),
        **fields,
    )


def _point_fields(point: PolicyPoint) -> dict[str, Any]:
    return {"section": point.section, "number": point.number, "text": point.text, "key": point.key}


def _back_to_draft(version: PolicyVersion) -> None:
    """A change after approval needs approving again."""
    if version.status == Status.APPROVED:
        version.status = Status.DRAFT
        version.approved_by = None
        version.approved_by_role = ""
        version.approved_on = None
        version.save(update_fields=["status", "approved_by", "approved_by_role", "approved_on"])


# ── Drafting ─────────────────────────────────────────────────────────────────────────────


def start_policy(
    organisation: Organisation,
    *,
    by: Any,
    kind: str = Policy.Kind.SECURITY_INCIDENT,
    title: str = "",
    owner_role: str = Role.SIRO,
) -> PolicyVersion:
    """A new policy of `organisation`, its version 1 drafted from the built-in template."""
    _must_manage(by, organisation)
    now = clock.now()
    with transaction.atomic():
        if (
            kind == Policy.Kind.SECURITY_INCIDENT
            and Policy.objects.filter(organisation=organisation, kind=kind).exists()
        ):
            raise StepRefused("This organisation already has a security incident policy: change that one.")
        policy = Policy.objects.create(
            organisation=organisation,
            kind=kind,
            title=title or template.TITLE,
            owner_role=owner_role,
            created_on=now,
            created_by=by,
        )
        version = PolicyVersion.objects.create(
            policy=policy, number=1, created_on=now, created_by=by, summary_of_changes="First version."
        )
        points = template.points() if kind == Policy.Kind.SECURITY_INCIDENT else []
        for point in points:
            point.version = version
        PolicyPoint.objects.bulk_create(points)
        _event(
            version,
            "policy.drafted",
            by,
            after={"title": policy.title, "kind": kind, "owner_role": owner_role, "number": 1, "from": "template"},
            at=now,
        )
    return version


def draft_next(policy: Policy, *, by: Any) -> PolicyVersion:
    """The next version as a draft: a copy of the one in force, each point keeping its key."""
    _must_manage(by, policy.organisation)
    now = clock.now()
    with transaction.atomic():
        Policy.objects.select_for_update().get(pk=policy.pk)
        if PolicyVersion.objects.filter(policy=policy, status__in=PolicyVersion.IN_PREPARATION).exists():
            raise StepRefused("A new version is already being drafted: change that one.")
        source = policy.published or policy.versions.order_by("-number").first()
        number = (policy.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = PolicyVersion.objects.create(policy=policy, number=number, created_on=now, created_by=by)
        if source is not None:
            PolicyPoint.objects.bulk_create(
                PolicyPoint(
                    version=version, section=p.section, number=p.number, position=p.position, text=p.text, key=p.key
                )
                for p in source.points.all()
            )
        _event(
            version,
            "policy.drafted",
            by,
            after={"number": number, "from": f"version {source.number}" if source else "nothing"},
            at=now,
        )
    return version


def change_version(version: PolicyVersion, *, by: Any, summary_of_changes: str) -> PolicyVersion:
    _must_manage(by, version.policy.organisation)
    with transaction.atomic():
        version = _locked(version)
        _editable(version)
        before = version.summary_of_changes
        version.summary_of_changes = summary_of_changes
        version.save(update_fields=["summary_of_changes"])
        _back_to_draft(version)
        _event(version, "policy.version_changed", by, before={"summary": before}, after={"summary": summary_of_changes})
    return version


def add_point(version: PolicyVersion, *, by: Any, section: str, number: str, text: str) -> PolicyPoint:
    """A point at the end of its section."""
    _must_manage(by, version.policy.organisation)
    with transaction.atomic():
        version = _locked(version)
        _editable(version)
        last = version.points.filter(section=section).aggregate(p=Max("position"))["p"] or 0
        # A WHY or HOW with the number of a MUST belongs to that point: it takes its key.
        same = version.points.filter(number=number).exclude(number="").exclude(section=section).first()
        point = PolicyPoint(version=version, section=section, number=number, position=last + 1, text=text)
        if same is not None:
            point.key = same.key
        point.save()
        _back_to_draft(version)
        _event(version, "policy.point_added", by, target=point, after=_point_fields(point))
    return point


def change_point(point: PolicyPoint, *, by: Any, number: str, text: str) -> PolicyPoint:
    _must_manage(by, point.version.policy.organisation)
    with transaction.atomic():
        version = _locked(point.version)
        _editable(version)
        point = PolicyPoint.objects.get(pk=point.pk)
        before = _point_fields(point)
        point.number, point.text = number, text
        point.save(update_fields=["number", "text"])
        _back_to_draft(version)
        _event(version, "policy.point_changed", by, target=point, before=before, after=_point_fields(point))
    return point


def remove_point(point: PolicyPoint, *, by: Any) -> None:
    _must_manage(by, point.version.policy.organisation)
    with transaction.atomic():
        version = _locked(point.version)
        _editable(version)
        before = _point_fields(point)
        _event(version, "policy.point_removed", by, target=point, before=before)
        point.delete()
        _back_to_draft(version)


def move_point(point: PolicyPoint, *, by: Any, up: bool) -> None:
    """Swap a point with the one before (or after) it in its section; they swap numbers too, so
    the numbering still runs in order."""
    _must_manage(by, point.version.policy.organisation)
    with transaction.atomic():
        version = _locked(point.version)
        _editable(version)
        point = PolicyPoint.objects.get(pk=point.pk)
        siblings = list(version.points.filter(section=point.section).order_by("position", "id"))
        index = siblings.index(point)
        other_index = index - 1 if up else index + 1
        if not 0 <= other_index < len(siblings):
            return
        other = siblings[other_index]
        siblings[index], siblings[other_index] = other, point
        point.number, other.number = other.number, point.number
        for position, row in enumerate(siblings, start=1):
            row.position = position
        PolicyPoint.objects.bulk_update(siblings, ["position", "number"])
        _back_to_draft(version)
        _event(
            version,
            "policy.point_moved",
            by,
            target=point,
            after={"key": point.key, "number": point.number, "direction": "up" if up else "down"},
        )


# ── Approval and publishing ──────────────────────────────────────────────────────────────


def approve(version: PolicyVersion, *, by: Any) -> PolicyVersion:
    """Approved by the SIRO or DPO of the policy's organisation (or above), in that named role."""
    p = powers(by, version.policy.organisation)
    if not p.can_approve_policies:
        raise StepRefused("Only the Senior Information Risk Owner or the Data Protection Officer may approve it.")
    now = clock.now()
    with transaction.atomic():
        version = _locked(version)
        if version.status != Status.DRAFT:
            raise StepRefused("Only a draft can be approved.")
        if not version.points.filter(section=PolicyPoint.Section.MUST).exists():
            raise StepRefused("Add at least one point under “What must I do?” first.")
        version.status = Status.APPROVED
        version.approved_by = by
        version.approved_by_role = p.approving_role
        version.approved_on = now
        version.save(update_fields=["status", "approved_by", "approved_by_role", "approved_on"])
        _event(version, "policy.approved", by, after={"number": version.number, "role": p.approving_role}, at=now)
    return version


def publish(version: PolicyVersion, *, by: Any, review_by: date) -> PolicyVersion:
    """In force from now: the version before is superseded, and everyone it applies to is asked
    to read and acknowledge it (in the app, and by email)."""
    _must_manage(by, version.policy.organisation)
    now = clock.now()
    with transaction.atomic():
        version = _locked(version)
        if version.status != Status.APPROVED:
            raise StepRefused("Only an approved version can be published.")
        if review_by <= now.date():
            raise StepRefused("The review date must be in the future.")
        previous = PolicyVersion.objects.filter(policy=version.policy, status=Status.PUBLISHED).first()
        if previous is not None:
            previous.status = Status.SUPERSEDED
            previous.superseded_on = now
            previous.save(update_fields=["status", "superseded_on"])
        version.status = Status.PUBLISHED
        version.published_at = now
        version.published_by = by
        version.review_by = review_by
        version.save(update_fields=["status", "published_at", "published_by", "review_by"])
        # The suggestions accepted for the next draft are in this one now (`for_next_draft`).
        taken = ChangeProposal.objects.filter(
            policy=version.policy, status=ChangeProposal.Status.ACCEPTED, taken_into__isnull=True
        )
        taken_ids = [str(uuid) for uuid in taken.values_list("uuid", flat=True)]
        taken.update(taken_into=version)
        _event(
            version,
            "policy.published",
            by,
            after={
                "number": version.number,
                "review_by": review_by,
                "superseded": previous.number if previous is not None else None,
                "suggestions_taken": taken_ids,
            },
            at=now,
        )
        tell(
            Occasion(
                "policy.published",
                organisation=version.policy.organisation,
                actor=by,
                people=readers_of(version),
            ),
            link=reverse("policies:read", args=[version.uuid]),
            context={"policy": version.policy, "version": version},
        )
    return version


def acknowledge(version: PolicyVersion, *, by: Any) -> Acknowledgement | None:
    """`by` has read `version`; acknowledging twice changes nothing (None the second time)."""
    if version.status != Status.PUBLISHED:
        raise StepRefused("Only the version in force can be acknowledged.")
    if not PolicyVersion.objects.visible_to(by).filter(pk=version.pk).exists():
        raise StepRefused("This policy does not apply to you.")
    now = clock.now()
    try:
        with transaction.atomic():
            acknowledgement = Acknowledgement.objects.create(version=version, user=by, acknowledged_at=now)
            _event(version, "policy.acknowledged", by, after={"number": version.number}, at=now)
    except IntegrityError:
        return None
    return acknowledgement
