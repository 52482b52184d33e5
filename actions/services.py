"""Raising and changing remedial actions; every change writes one event on the record.

The event belongs to the incident's record when the action has an incident (so it is on
the incident's timeline), otherwise to the action's own record.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from audit.log import record
from core.exceptions import StepRefused
from incidents.models import Incident
from notifications.audiences import Occasion, tell

from .models import RemedialAction

EDITABLE = ("title", "details", "owner", "due_on", "source", "change_reference")


def snapshot(action: RemedialAction) -> dict[str, Any]:
    return {
        "action": action.pk,
        "title": action.title,
        "details": action.details,
        "owner": action.owner.email if action.owner else "",
        "due_on": action.due_on,
        "source": action.source,
        "change_reference": action.change_reference,
        "status": action.status,
    }


def _record(action: RemedialAction, name: str, by: Any, before: Any, after: Any, reason: str = "") -> None:
    record(
        organisation_id=action.organisation_id,
        action=name,
        actor=by,
        record=action.incident if action.incident_id else action,
        target=action,
        before=before,
        after=after,
        reason=reason,
    )


def _tell_owner(action: RemedialAction, by: Any) -> None:
    tell(
        Occasion(
            "action.assigned",
            incident=action.incident,
            organisation=action.organisation,
            actor=by if getattr(by, "is_authenticated", False) else None,
            action=action,
        ),
        link=reverse("actions:detail", args=[action.pk]),
        context={"due_on": dateformat.format(action.due_on, "j F Y") if action.due_on else ""},
    )


def create_action(
    *,
    by: Any,
    incident: Incident,
    title: str,
    owner: Any,
    due_on: date | None,
    details: str = "",
    source: str = RemedialAction.Source.INVESTIGATION,
    change_reference: str = "",
    tell_owner: bool = True,
) -> RemedialAction:
    if incident is not None:
        incident.refuse_if_disposed()
    with transaction.atomic():
        action = RemedialAction.objects.create(
            organisation=incident.organisation,
            incident=incident,
            title=title.strip(),
            details=details.strip(),
            owner=owner,
            due_on=due_on,
            source=source,
            change_reference=change_reference.strip(),
        )
        _record(action, "action.created", by, None, snapshot(action))
        if tell_owner:
            _tell_owner(action, by)
    return action


def update_action(action: RemedialAction, *, by: Any, **fields: Any) -> bool:
    """Change the editable fields; returns whether anything changed (no event if nothing did)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if action.status != RemedialAction.Status.OPEN:
        raise StepRefused("Only open actions can be changed. Reopen it first.")
    with transaction.atomic():
        before = snapshot(action)
        previous_owner = action.owner_id
        for name, value in fields.items():
            setattr(action, name, value.strip() if isinstance(value, str) else value)
        after = snapshot(action)
        changed = {k for k in after if after[k] != before[k]}
        if not changed:
            return False
        action.save()
        _record(
            action,
            "action.changed",
            by,
            {k: before[k] for k in sorted(changed)},
            {k: after[k] for k in sorted(changed)},
        )
        if action.owner_id != previous_owner:
            _tell_owner(action, by)
    return True


def _set_status(
    action: RemedialAction, *, by: Any, status: str, event: str, reason: str, allowed_from: set[str]
) -> None:
    with transaction.atomic():
        current = RemedialAction.objects.select_for_update().get(pk=action.pk)
        if current.status not in allowed_from:
            raise StepRefused(f"This action is already {current.get_status_display().lower()}.")
        before = {"status": current.status}
        action.status = status
        action.completed_on = timezone.now() if status == RemedialAction.Status.DONE else None
        action.save(update_fields=["status", "completed_on"])
        _record(action, event, by, before, {"status": status, "title": action.title}, reason=reason.strip())


def complete_action(action: RemedialAction, *, by: Any, note: str = "") -> None:
    _set_status(
        action,
        by=by,
        status=RemedialAction.Status.DONE,
        event="action.done",
        reason=note,
        allowed_from={RemedialAction.Status.OPEN},
    )


def cancel_action(action: RemedialAction, *, by: Any, reason: str) -> None:
    if not reason.strip():
        raise StepRefused("Give the reason for cancelling this action.")
    _set_status(
        action,
        by=by,
        status=RemedialAction.Status.CANCELLED,
        event="action.cancelled",
        reason=reason,
        allowed_from={RemedialAction.Status.OPEN},
    )


def reopen_action(action: RemedialAction, *, by: Any, reason: str) -> None:
    if not reason.strip():
        raise StepRefused("Give the reason for reopening this action.")
    _set_status(
        action,
        by=by,
        status=RemedialAction.Status.OPEN,
        event="action.reopened",
        reason=reason,
        allowed_from={RemedialAction.Status.DONE, RemedialAction.Status.CANCELLED},
    )
