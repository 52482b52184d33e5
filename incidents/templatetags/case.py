"""The case beside the decision: what was reported and what is known so far, shown on every
page where a handler decides something about an incident (triage, reclassify, review, close,
the ICO decision), so no one decides on a page that hides what they decide about."""

from typing import Any

from django import template

from incidents.models import Incident

register = template.Library()


def _shown(incident: Incident, name: str) -> Any:
    value = getattr(incident, name)
    field = Incident._meta.get_field(name)
    if value in (None, "", []):
        return None
    if getattr(field, "choices", None):
        return getattr(incident, f"get_{name}_display")()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return value


@register.inclusion_tag("incidents/_case_beside.html", takes_context=True)
def case_beside(context: Any, incident: Incident) -> dict[str, Any]:
    viewer = context["request"].user
    rows = []
    for name in Incident.REPORT_FIELDS:
        value = _shown(incident, name)
        if value is not None and name != "description":
            field = Incident._meta.get_field(name)
            rows.append({"label": str(getattr(field, "verbose_name", name)), "value": value})
    known = [
        {"label": label, "value": value}
        for label, value in (
            ("What it is", incident.get_nature_display()),
            ("Severity", incident.get_severity_display()),
            ("Personal data breach", incident.get_personal_data_breach_display()),
            ("Incident type", incident.incident_type.name if incident.incident_type else ""),
            ("Investigating officer", incident.investigator.full_name if incident.investigator else ""),
        )
        if value
    ]
    return {
        "incident": incident,
        "reporter": incident.reporter_display(viewer),
        "rows": rows,
        "known": known,
        "evidence_count": incident.evidence.filter(withdrawn_on__isnull=True).count(),
    }
