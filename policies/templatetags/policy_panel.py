"""The incident page's policy section: the points it broke, the exceptions it names."""

from typing import Any

from django import template

from incidents.models import Incident

from ..exceptions import point_label

register = template.Library()


@register.inclusion_tag("policies/_panel.html", takes_context=True)
def policy_panel(context: dict[str, Any], incident: Incident) -> dict[str, Any]:
    powers = context.get("powers")
    # `.all()`: the incident page fetched both lists (incidents.panels), or knows they are empty.
    points = incident.policy_points_breached.all()
    named = incident.exceptions_named.all()
    report = getattr(incident, "outcome_report", None)
    return {
        "incident": incident,
        "points": [point_label(row.point) for row in points],
        "named": [{"exception": row.exception, "label": point_label(row.exception.point)} for row in named],
        "may_record": bool(powers and powers.can_record_policy_points) and incident.status != Incident.Status.REPORTED,
        "lessons": bool(report is not None and report.lessons_learned),
    }
