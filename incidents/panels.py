"""What the incident page shows of the lifecycle, worked out once for one viewer.

The buttons are the table's `available_steps`; the closure blockers are the close step's own
needs; the rows come from what the detail view fetched (`detail_queryset`), so no panel
queries again what another panel already has.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet

from incidents.models import Incident
from organisations.powers import Powers

from .lifecycle import STEP, available_steps, checklist_item_blockers, closure_needs, required_review_roles
from .lifecycle.common import report_of
from .models import ChecklistItem, Classification, InternalNote, OutcomeReview, ReporterMessage, severity_definitions
from .registry import registered_blockers


def detail_queryset(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    """The incident with everything its page shows, in a fixed number of queries."""
    return queryset.select_related(
        "organisation", "reported_by", "investigator", "incident_type", "routing", "outcome_report", "ico_decided_by"
    ).prefetch_related(
        Prefetch("checklist", ChecklistItem.objects.select_related("evidence", "updated_by")),
        Prefetch("outcome_report__reviews", OutcomeReview.objects.select_related("reviewer")),
        Prefetch("classifications", Classification.objects.select_related("classified_by", "incident_type")),
        Prefetch("internal_notes", InternalNote.objects.select_related("author")),
        Prefetch("reporter_messages", ReporterMessage.objects.select_related("author")),
        # Shared with the actions, evidence and deadlines panels, which read `.all()`.
        "remedial_actions__owner",
        "evidence__uploaded_by",
        "evidence__withdrawn_by",
    )


def incident_panels(incident: Incident, user: Any, p: Powers) -> dict[str, Any]:
    status = incident.status
    report = report_of(incident)
    checklist = list(incident.checklist.all())
    offered = available_steps(user, incident, p)
    close = STEP["close"]
    return {
        "powers": p,
        "steps": [{"step": s, "href": s.url(incident)} for s in offered if s.button],
        "offered": {s.name for s in offered},
        "classifications": list(incident.classifications.all()),
        "routing": getattr(incident, "routing", None),
        "checklist": [
            {"item": item, "may_update": not checklist_item_blockers(item, incident, p)} for item in checklist
        ],
        "checklist_open": sum(1 for item in checklist if not item.is_settled),
        "notes": incident.internal_notes.all(),
        "reporter_messages": incident.reporter_messages.all(),
        "report": report,
        "reviews": [r for r in report.reviews.all() if r.round == report.round] if report and report.round else [],
        "required_reviews": [str(r) for r in required_review_roles(incident)] if incident.severity else [],
        # The close step's own needs: shown instead of a button that would be refused.
        "blockers": closure_needs(incident) + registered_blockers(close.name, incident)
        if status in close.states
        else [],
        "severity_definition": severity_definitions(incident.organisation).get(incident.severity, "")
        if incident.severity
        else "",
        "reporter": incident.reporter_display(user),
    }
