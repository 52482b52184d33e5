"""The outcome report as a tagged PDF (PDF/UA-1), rendered by typst from JSON data."""

from pathlib import Path
from typing import Any

from django.utils import timezone

from audit.log import events_for
from incidents.models import Incident
from lib import pdf
from lib.timeline import fold

from .models import OutcomeReport

TEMPLATE = Path(__file__).parent / "typst" / "outcome_report.typ"
# Timeline entries left out of a report: reading is not something that happened to the incident.
QUIET_ACTIONS = {"incident.viewed", "outcome.pdf_downloaded", "outcome.saved"}


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%-d %b %Y, %H:%M") if value else "Not recorded"


def outcome_report_data(report: OutcomeReport, *, viewer: Any, restricted: bool) -> dict[str, Any]:
    """Everything the PDF shows, as plain JSON. Restricted sections only when `restricted`."""
    incident: Incident = report.incident
    facts = [
        ("Reference", incident.reference or ""),
        ("Organisation", incident.organisation.name),
        ("Status", incident.get_status_display()),
        ("Severity", incident.get_severity_display() or "Not set"),
        ("Incident type", incident.incident_type.name if incident.incident_type else "Not decided"),
        ("Personal data breach", incident.get_personal_data_breach_display() or "Not classified"),
        ("Reported", _when(incident.reported_on)),
        ("Reported by", incident.reporter_display(viewer) if restricted else "Not shown in this edition"),
        (
            "Investigating officer",
            (incident.investigator.full_name or incident.investigator.email)
            if incident.investigator
            else "Not assigned",
        ),
        ("Report status", report.get_status_display()),
        ("Submitted", _when(report.submitted_on)),
        ("Accepted", _when(report.accepted_on) if report.accepted_on else "Not yet"),
    ]
    timeline = fold(
        {"when": _when(e.created_on), "what": e.describe()}
        for e in events_for(incident)
        if e.action not in QUIET_ACTIONS
    )
    actions = [
        {
            "title": a.title,
            "owner": (a.owner.full_name or a.owner.email) if a.owner else "No owner",
            "due": a.due_on.strftime("%-d %b %Y") if a.due_on else "No date",
            "status": a.get_status_display() + (" (overdue)" if a.is_overdue() else ""),
        }
        for a in incident.remedial_actions.select_related("owner")
    ]
    return {
        "reference": incident.reference or "",
        "organisation": incident.organisation.name,
        "edition": "Full edition" if restricted else "Edition without restricted parts",
        "facts": facts,
        "sections": [{"heading": s["heading"], "text": s["text"]} for s in report.sections(restricted=restricted)],
        "actions": actions,
        "timeline": timeline,
        "restricted_left_out": not restricted,
    }


def outcome_report_pdf(report: OutcomeReport, *, viewer: Any, restricted: bool) -> bytes:
    data = outcome_report_data(report, viewer=viewer, restricted=restricted)
    return pdf.render_pdf(TEMPLATE, data, title=f"Incident Outcome Report {data['reference']}")
