"""Working the investigation: the checklist, notes, messages to the reporter, the outcome report's draft.

None of these changes the incident's state, but each is a step of the table (who, from
which states) and each still writes one event.
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.log import record
from lib import clock

from ..models import ChecklistItem, Incident, InternalNote, OutcomeReport, ReporterMessage
from ..registry import publish
from .common import get_or_create_report, need, need_reason
from .common import locked as _lock
from .table import check, checklist_item_blockers


def investigator_next(incident: Incident, pending: int) -> str:
    """What the investigating officer does next on `incident`, in plain words ("Assigned to me"
    and the home page). `pending`: the checklist items still to do."""
    report = getattr(incident, "outcome_report", None)
    if incident.status == Incident.Status.TRIAGED:
        return "Start the investigation"
    if incident.status == Incident.Status.OUTCOME_SUBMITTED:
        return "Waiting for the review of the outcome report"
    if report is not None and report.status == OutcomeReport.Status.RETURNED:
        return "The outcome report was returned: read the comments and resubmit"
    if pending:
        return f"{pending} checklist item{'s' if pending != 1 else ''} to do, then the outcome report"
    return "Write and submit the outcome report"


def update_checklist_item(
    item: ChecklistItem,
    *,
    by: Any,
    state: str,
    note: str = "",
    not_applicable_reason: str = "",
    disciplinary_decision: str = "",
    evidence: Any = None,
) -> None:
    """Mark an item done (with a note, optionally evidence) or not applicable (with a reason).

    The disciplinary item is done with a decision; "no disciplinary action" needs the reason
    why not. Its notes are restricted, so its event records the decision, never the words.
    """
    with transaction.atomic():
        incident = _lock(item.incident)
        item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
        p = incident.powers_of(by)
        found = checklist_item_blockers(item, incident, p)
        need(not found, found[0] if found else "")
        note = (note or "").strip()
        not_applicable_reason = (not_applicable_reason or "").strip()
        if evidence is not None:
            need(evidence.incident_id == incident.pk, "Link evidence of this incident only.")
        if item.is_disciplinary:
            need(
                state != ChecklistItem.State.NOT_APPLICABLE,
                "Record a decision on disciplinary action, or why there is none.",
            )
            if state == ChecklistItem.State.DONE:
                need(
                    disciplinary_decision in ChecklistItem.DisciplinaryDecision.values,
                    "Say whether disciplinary action has been commenced.",
                )
                need(
                    disciplinary_decision == ChecklistItem.DisciplinaryDecision.COMMENCED or bool(note),
                    "Record why no disciplinary action is being taken.",
                )
        elif state == ChecklistItem.State.NOT_APPLICABLE:
            need(bool(not_applicable_reason), "Say why this item does not apply.")
        need(state in ChecklistItem.State.values, "Choose done, not applicable or to do.")
        before = {"state": item.state}
        item.state = state
        item.note = note if state == ChecklistItem.State.DONE else ""
        item.not_applicable_reason = not_applicable_reason if state == ChecklistItem.State.NOT_APPLICABLE else ""
        item.disciplinary_decision = (
            disciplinary_decision if item.is_disciplinary and state == ChecklistItem.State.DONE else ""
        )
        item.evidence = evidence if state == ChecklistItem.State.DONE else None
        item.updated_by = by
        item.updated_on = timezone.now()
        item.save()
        after: dict[str, Any] = {"item": item.text, "state": state}
        if item.is_disciplinary:
            after["restricted"] = True
        else:
            after |= {"note": item.note, "not_applicable_reason": item.not_applicable_reason}
            if item.evidence is not None:
                after["evidence"] = str(item.evidence.uuid)
        publish(
            incident,
            "checklist.item_updated",
            by,
            target=item,
            before=before,
            after=after,
        )


def add_note(incident: Incident, *, by: Any, body: str) -> InternalNote:
    with transaction.atomic():
        locked = _lock(incident)
        check("add_note", locked, locked.powers_of(by))
        body = need_reason(body, "Write the note.")
        note = InternalNote.objects.create(incident=locked, author=by, body=body, created_on=timezone.now())
        publish(
            locked,
            "note.added",
            by,
            target=note,
            after={"body": body},
        )
    return note


def message_reporter(incident: Incident, *, by: Any, body: str) -> Any:
    """A message to the reporter: on their report page (named) or receipt page (anonymous).

    A named reporter is emailed that there is a message (not its words); an anonymous
    reporter has no address and reads it with their receipt.
    """
    with transaction.atomic():
        locked = _lock(incident)
        check("message_reporter", locked, locked.powers_of(by))
        body = need_reason(body, "Write the message.")
        message = ReporterMessage.objects.create(
            incident=locked,
            direction=ReporterMessage.Direction.TO_REPORTER,
            body=body,
            author=by,
            sent_on=timezone.now(),
        )
        # A named reporter is told there is a message by the notifications app, reacting to the event.
        publish(
            locked,
            "reporter.message_sent",
            by,
            target=message,
            after={"body": body},
        )
    return message


def receive_from_reporter(
    locked: Incident, *, body: str, via: str, by: Any = None, at: datetime | None = None
) -> ReporterMessage:
    """A message from the reporter, stored and put on the record: the one home for every way
    one arrives (a named reporter's own report page, an anonymous reporter's receipt). `by` is
    the named reporter as the record may show them (None when anonymous or confidential); `at`
    the stored time (an anonymous report's is coarse). Call inside the caller's transaction,
    with the incident locked; the caller tells whoever needs telling."""
    message = ReporterMessage.objects.create(
        incident=locked,
        direction=ReporterMessage.Direction.FROM_REPORTER,
        body=body,
        author=None,
        sent_on=at or clock.now(),
    )
    record(
        organisation_id=locked.organisation_id,
        action="reporter_message.received",
        actor=by,
        record=locked,
        target=message,
        after={"direction": message.direction, "body": body, "via": via},
        at=message.sent_on,
    )
    return message


def save_outcome_draft(incident: Incident, *, by: Any, sections: dict[str, str]) -> OutcomeReport:
    """Save the outcome report's sections. Only restricted-readers may write the disciplinary outcome."""
    with transaction.atomic():
        locked = _lock(incident)
        p = locked.powers_of(by)
        check("save_outcome_draft", locked, p)
        report = get_or_create_report(locked)
        allowed = {name for name, _ in OutcomeReport.SECTIONS}
        if not p.can_see_restricted:
            allowed -= set(OutcomeReport.RESTRICTED_SECTIONS)
        changed = []
        for name, value in sections.items():
            if name in allowed and getattr(report, name) != (value or "").strip():
                setattr(report, name, (value or "").strip())
                changed.append(name)
        if report.status == OutcomeReport.Status.RETURNED:
            report.status = OutcomeReport.Status.DRAFT
        report.updated_by = by
        report.updated_on = timezone.now()
        report.save()
        publish(
            locked,
            "outcome.saved",
            by,
            target=report,
            # The words are in the report; the event says which parts changed.
            after={"changed": changed},
        )
    return report
