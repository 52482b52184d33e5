"""The lifecycle's sections of the full case file (registered with casefile.render in apps.py).

Restricted words (the disciplinary item's notes, the report's disciplinary outcome) are
included only for a viewer who may see them.
"""

from typing import Any

from incidents.models import Incident
from lib import clock

from .models import Classification, OutcomeReport, Routing


def _when(value: Any, incident: Incident) -> str:
    """At the precision the incident's report allows (lib/clock.py)."""
    return clock.show(value, clock.precision_of(incident), long=True) if value else "Not recorded"


def _who(user: Any) -> str:
    return (user.full_name or user.email) if user is not None else "Not recorded"


def lifecycle_sections(incident: Incident, viewer: Any) -> list[dict[str, Any]]:
    restricted = incident.powers_of(viewer).can_see_restricted
    result: list[dict[str, Any]] = []
    classifications = Classification.objects.filter(incident=incident).select_related("classified_by", "incident_type")
    if classifications:
        result.append(
            {
                "title": "Classification history",
                "rows": [
                    {
                        "label": f"Version {c.version}, {_when(c.classified_on, incident)}, {_who(c.classified_by)}",
                        "value": f"{c.get_severity_display()}; {c.get_nature_display()}; "
                        f"{c.get_breach_status_display()}; "
                        f"personal data breach: {c.get_personal_data_breach_display()}; "
                        f"{c.incident_type.name if c.incident_type else 'no type'}; "
                        f"breach type: {c.breach_types_display() or 'none'}"
                        + (f". Why: {c.reason}" if c.reason else ""),
                    }
                    for c in classifications
                ],
            }
        )
    routing = Routing.objects.filter(incident=incident).first()
    if routing is not None:
        result.append(
            {
                "title": "Routing",
                "rows": [
                    {"label": "DPO told", "value": _when(routing.dpo_told_on, incident)},
                    {"label": "SIRO told", "value": _when(routing.siro_told_on, incident)},
                    {"label": "Governance viewers told", "value": _when(routing.governance_told_on, incident)},
                    {
                        "label": "SIRO's decision on a critical incident",
                        "value": (
                            routing.get_lead_decision_display()
                            + (f": {routing.lead_decision_reason}" if routing.lead_decision_reason else "")
                        )
                        if routing.lead_decision
                        else "None needed or not yet made",
                    },
                ],
            }
        )
    items = list(incident.checklist.select_related("evidence", "updated_by"))
    if items:
        rows = []
        for item in items:
            if item.is_disciplinary and not restricted:
                value = f"{item.get_state_display()} (details restricted)"
            else:
                detail = item.note or item.not_applicable_reason
                if item.disciplinary_decision:
                    detail = f"{item.get_disciplinary_decision_display()}. {detail}"
                if item.evidence is not None:
                    detail += f" Evidence: {item.evidence.original_name} (SHA-256 {item.evidence.sha256})"
                value = f"{item.get_state_display()}" + (f": {detail.strip()}" if detail.strip() else "")
            rows.append({"label": item.text, "value": value})
        result.append({"title": "Investigation checklist", "rows": rows})
    report = OutcomeReport.objects.filter(incident=incident).first()
    if report is not None:
        rows = [
            {"label": "Status", "value": report.get_status_display()},
            {"label": "Submitted", "value": _when(report.submitted_on, incident)},
        ]
        rows += [
            {"label": s["heading"], "value": s["text"] or "Not written"} for s in report.sections(restricted=restricted)
        ]
        rows += [
            {
                "label": f"Review by the {r.get_reviewer_role_display().lower()}, {_when(r.reviewed_on, incident)}",
                "value": f"{r.get_decision_display()} by {_who(r.reviewer)}"
                + (f": {r.comments}" if r.comments else ""),
            }
            for r in report.reviews.select_related("reviewer")
        ]
        result.append({"title": "Incident Outcome Report", "rows": rows})
    notes = list(incident.internal_notes.select_related("author"))
    if notes:
        result.append(
            {
                "title": "Internal notes",
                "rows": [
                    {"label": f"{_who(n.author)}, {_when(n.created_on, incident)}", "value": n.body} for n in notes
                ],
            }
        )
    messages = list(incident.reporter_messages.select_related("author"))
    if messages:
        result.append(
            {
                "title": "Messages with the reporter",
                "rows": [
                    {"label": f"{m.get_direction_display()}, {_when(m.sent_on, incident)}", "value": m.body}
                    for m in messages
                ],
            }
        )
    return result
