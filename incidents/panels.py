"""What the incident page shows of the lifecycle, worked out for one viewer."""

from typing import Any

from django.urls import reverse

from incidents.models import Incident

from .lifecycle import closure_blockers, powers, required_review_roles
from .models import Classification, OutcomeReport, Routing, severity_definitions


def incident_panels(incident: Incident, user: Any) -> dict[str, Any]:
    p = powers(user, incident)
    status = incident.status
    S = Incident.Status
    report = OutcomeReport.objects.filter(incident=incident).first()
    routing = Routing.objects.filter(incident=incident).first()
    checklist = list(incident.checklist.select_related("evidence", "updated_by"))
    steps: list[dict[str, str]] = []

    def step(name: str, text: str, when: bool, primary: bool = False) -> None:
        if when:
            steps.append(
                {"href": reverse(f"incidents:{name}", args=[incident.uuid]), "text": text, "primary": str(primary)}
            )

    step("triage", "Triage the report", p.can_triage and status == S.REPORTED, True)
    step("not_incident", "Close as not an incident", p.can_triage and status in (S.REPORTED, S.TRIAGED))
    step("assign", "Assign the investigation", p.can_assign and status in (S.TRIAGED, S.INVESTIGATING))
    step(
        "start",
        "Start the investigation",
        (p.is_investigator or p.is_manager or p.is_siro) and status == S.TRIAGED,
        True,
    )
    step("outcome", "Write the outcome report", p.can_work and status == S.INVESTIGATING, True)
    step(
        "review",
        "Review the outcome report",
        bool(p.review_roles) and status == S.OUTCOME_SUBMITTED,
        True,
    )
    step("close", "Close the incident", p.can_close and status == S.OUTCOME_SUBMITTED, True)
    step("reopen", "Reopen the incident", p.can_reopen and status in Incident.CLOSED_STATUSES)
    step("reclassify", "Reclassify", p.can_reclassify and status != S.REPORTED)
    reviews = list(report.reviews_this_round()) if report and report.round else []
    return {
        "powers": p,
        "steps": steps,
        "classifications": Classification.objects.filter(incident=incident).select_related(
            "classified_by", "incident_type"
        ),
        "routing": routing,
        "checklist": checklist,
        "checklist_open": sum(1 for item in checklist if not item.is_settled),
        "checklist_editable": status in (S.TRIAGED, S.INVESTIGATING, S.OUTCOME_SUBMITTED),
        "notes": incident.internal_notes.select_related("author"),
        "reporter_messages": incident.reporter_messages.select_related("author"),
        "report": report,
        "reviews": reviews,
        "required_reviews": [str(r) for r in required_review_roles(incident)] if incident.severity else [],
        "blockers": closure_blockers(incident) if status == S.OUTCOME_SUBMITTED else [],
        "severity_definition": severity_definitions(incident.organisation).get(incident.severity, ""),
        "reporter": incident.reporter_display(user),
        "open_actions": incident.remedial_actions.filter(status="open"),
    }
