"""The steps that move an incident between states, and the two that change its classification.

    reported ──triage──▶ triaged ──start──▶ investigating ──submit──▶ outcome submitted ──close──▶ closed
        └──close as not an incident (from reported or triaged)──▶ closed: not an incident
    outcome submitted ──return with comments──▶ investigating
    closed / closed: not an incident ──reopen (with a reason)──▶ investigating

Each step is atomic: it locks the incident, checks the table of steps (`table.check`: who,
from which states, what it needs), changes what it changes and writes exactly one event.
A step that may not happen raises `StepRefused` with the reason in plain words. Other apps
react to the event in the same transaction (`incidents.registry`): the notifications app tells
whoever its audience table names (email is sent after commit), the deadlines app recomputes.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import Incident, IncidentType, OutcomeReport, OutcomeReview, Routing
from .classification import apply_classification, assign, check_classification, route, snapshot, sync_checklist
from .common import (
    Status,
    accepted_roles,
    event,
    get_or_create_report,
    need,
    need_reason,
    refresh,
    required_review_roles,
)
from .common import locked as _lock
from .table import check, reviews_due_from


def triage(
    incident: Incident,
    *,
    by: Any,
    severity: str,
    nature: str = "",
    breach_status: str = "",
    personal_data_breach: str = "",
    breach_types: Iterable[str] = (),
    incident_type: IncidentType | None = None,
    aware_on: datetime | None = None,
    investigator: Any = None,
    delegation_reason: str = "",
) -> None:
    """Classify a new report, set its severity, apply the routing, and optionally assign it."""
    with transaction.atomic():
        locked = _lock(incident)
        p = locked.powers_of(by)
        check("triage", locked, p)
        values = check_classification(
            locked,
            {
                "severity": severity,
                "nature": nature,
                "breach_status": breach_status,
                "personal_data_breach": personal_data_breach,
                "breach_types": list(breach_types),
                "incident_type": incident_type,
                "aware_on": aware_on,
            },
        )
        now = timezone.now()
        before = {"status": locked.status, **snapshot(locked)}
        apply_classification(locked, by, values, "First classification at triage", now)
        locked.status = Status.TRIAGED
        locked.triaged_on = now
        locked.save()  # before the event, so the counts told to governance viewers include this incident
        route(locked, "", now)
        routing = Routing.objects.get(incident=locked)
        reason = ""
        if investigator is not None:
            reason = assign(locked, routing, by, p, investigator, delegation_reason, now)
            locked.save()
        sync_checklist(locked)
        event(
            locked,
            "incident.triaged",
            by,
            before=before,
            after={
                "status": locked.status,
                **snapshot(locked),
                "investigator": locked.investigator_id,
            },
            reason=reason,
        )
    refresh(incident, locked)


def reclassify(incident: Incident, *, by: Any, reason: str, **values: Any) -> None:
    """Change the classification with a reason; the old version stays. A new severity is routed again."""
    with transaction.atomic():
        locked = _lock(incident)
        check("reclassify", locked, locked.powers_of(by))
        reason = need_reason(reason, "Say why the classification is changing.")
        checked = check_classification(locked, values)
        before = snapshot(locked)
        previous_severity = locked.severity
        now = timezone.now()
        apply_classification(locked, by, checked, reason, now)
        after = snapshot(locked)
        need(after != before, "Nothing has changed: change at least one part of the classification.")
        locked.save()
        route(locked, previous_severity, now)
        if locked.is_open:
            sync_checklist(locked)
        event(
            locked,
            "incident.reclassified",
            by,
            before=before,
            after=after,
            reason=reason,
        )
    refresh(incident, locked)


def assign_investigator(incident: Incident, *, by: Any, investigator: Any, reason: str = "") -> None:
    """Assign the investigating officer.

    On a critical incident only the SIRO may: taking it personally, or delegating it with a reason.
    """
    with transaction.atomic():
        locked = _lock(incident)
        p = locked.powers_of(by)
        check("assign_investigator", locked, p)
        before = locked.investigator_id
        routing, _ = Routing.objects.get_or_create(incident=locked)
        reason = assign(locked, routing, by, p, investigator, reason, timezone.now())
        locked.save()
        event(
            locked,
            "incident.investigator_assigned",
            by,
            before={"investigator": before},
            after={"investigator": investigator.pk, "lead_decision": routing.lead_decision},
            reason=reason,
        )
    refresh(incident, locked)


def start_investigation(incident: Incident, *, by: Any) -> None:
    with transaction.atomic():
        locked = _lock(incident)
        check("start_investigation", locked, locked.powers_of(by))
        locked.status = Status.INVESTIGATING
        locked.save()
        get_or_create_report(locked)
        event(
            locked,
            "incident.investigation_started",
            by,
            before={"status": Status.TRIAGED},
            after={"status": locked.status},
        )
    refresh(incident, locked)


def submit_outcome(incident: Incident, *, by: Any) -> None:
    """The investigating officer submits the outcome report for review."""
    with transaction.atomic():
        locked = _lock(incident)
        check("submit_outcome", locked, locked.powers_of(by))
        report = get_or_create_report(locked)
        now = timezone.now()
        report.status = OutcomeReport.Status.SUBMITTED
        report.round += 1
        report.submitted_by = by
        report.submitted_on = now
        report.accepted_on = None
        report.save()
        locked.status = Status.OUTCOME_SUBMITTED
        locked.outcome_submitted_on = now
        locked.save()
        event(
            locked,
            "incident.outcome_submitted",
            by,
            before={"status": Status.INVESTIGATING},
            after={"status": locked.status, "round": report.round},
        )
    refresh(incident, locked)


def review_outcome(incident: Incident, *, by: Any, accept: bool, comments: str = "") -> None:
    """Accept the outcome report, or return it with comments (back to investigation)."""
    with transaction.atomic():
        locked = _lock(incident)
        p = locked.powers_of(by)
        check("review_outcome", locked, p)
        mine = reviews_due_from(locked, p)
        report = get_or_create_report(locked)
        now = timezone.now()
        comments = (comments or "").strip()
        if accept:
            for role in mine:
                OutcomeReview.objects.create(
                    report=report,
                    round=report.round,
                    reviewer=by,
                    reviewer_role=role,
                    decision=OutcomeReview.Decision.ACCEPTED,
                    comments=comments,
                    reviewed_on=now,
                )
            if set(required_review_roles(locked)) <= accepted_roles(report):
                report.status = OutcomeReport.Status.ACCEPTED
                report.accepted_on = now
                report.save()
            event(
                locked,
                "incident.outcome_accepted",
                by,
                after={"as": mine, "round": report.round, "report": report.status},
                reason=comments,
            )
        else:
            comments = need_reason(comments, "Say what needs to change before the report can be accepted.")
            for role in mine:
                OutcomeReview.objects.create(
                    report=report,
                    round=report.round,
                    reviewer=by,
                    reviewer_role=role,
                    decision=OutcomeReview.Decision.RETURNED,
                    comments=comments,
                    reviewed_on=now,
                )
            report.status = OutcomeReport.Status.RETURNED
            report.accepted_on = None
            report.save()
            locked.status = Status.INVESTIGATING
            locked.save()
            # Always on the record, whoever returns it (it was written only when someone was told).
            event(
                locked,
                "incident.outcome_returned",
                by,
                before={"status": Status.OUTCOME_SUBMITTED},
                after={"status": locked.status, "as": mine, "round": report.round},
                reason=comments,
            )
    refresh(incident, locked)


def close(incident: Incident, *, by: Any) -> list[Any]:
    """Close the incident. Returns its open remedial actions, which stay trackable."""
    with transaction.atomic():
        locked = _lock(incident)
        check("close", locked, locked.powers_of(by))
        open_actions = list(locked.remedial_actions.filter(status="open"))
        now = timezone.now()
        # Every review the severity now requires is in (the table's check). A report accepted by
        # the incident manager while the incident was major, then reclassified minor, is
        # accepted by then without a further review: it is marked so here.
        report = get_or_create_report(locked)
        if report.status != OutcomeReport.Status.ACCEPTED:
            report.status = OutcomeReport.Status.ACCEPTED
            report.accepted_on = now
            report.save()
        locked.status = Status.CLOSED
        locked.closed_on = now
        locked.save()
        event(
            locked,
            "incident.closed",
            by,
            before={"status": Status.OUTCOME_SUBMITTED},
            after={
                "status": locked.status,
                "open_remedial_actions": [{"id": a.pk, "title": a.title} for a in open_actions],
            },
        )
    refresh(incident, locked)
    return open_actions


def close_not_incident(incident: Incident, *, by: Any, reason: str) -> None:
    """Close a report found to be an event with no security significance, with the reason."""
    with transaction.atomic():
        locked = _lock(incident)
        check("close_not_incident", locked, locked.powers_of(by))
        reason = need_reason(reason, "Say why this is not a security incident.")
        before = locked.status
        locked.status = Status.CLOSED_NOT_INCIDENT
        locked.closed_on = timezone.now()
        locked.save()
        event(
            locked,
            "incident.closed_not_incident",
            by,
            before={"status": before},
            after={"status": locked.status},
            reason=reason,
        )
    refresh(incident, locked)


def reopen(incident: Incident, *, by: Any, reason: str) -> None:
    """Reopen a closed incident, with a reason, back to investigation; its outcome report goes back to draft."""
    with transaction.atomic():
        locked = _lock(incident)
        check("reopen", locked, locked.powers_of(by))
        reason = need_reason(reason, "Say why the incident is being reopened.")
        before = locked.status
        locked.status = Status.INVESTIGATING
        locked.closed_on = None
        locked.outcome_submitted_on = None
        if locked.triaged_on is None:
            locked.triaged_on = timezone.now()
        locked.save()
        report = get_or_create_report(locked)
        if report.status != OutcomeReport.Status.DRAFT:
            report.status = OutcomeReport.Status.DRAFT
            report.accepted_on = None
            report.save()
        sync_checklist(locked)
        event(
            locked, "incident.reopened", by, before={"status": before}, after={"status": locked.status}, reason=reason
        )
    refresh(incident, locked)
