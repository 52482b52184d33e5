"""Template tags other pages use to show the breach record: the panel on the incident page and the clock."""

from typing import Any

from django import template

from incidents.models import Incident

from ..clock import ClockState, ico_clock_state
from ..models import latest_assessment

register = template.Library()


@register.inclusion_tag("breaches/_panel.html", takes_context=True)
def breach_panel(context: Any, incident: Incident) -> dict[str, Any]:
    """The panel on the incident page, when personal data is or may be involved.

    Decided from the incident's own fields first, so an incident with no personal data
    costs the page no queries; otherwise one (the latest assessment).
    """
    show = (
        incident.personal_data_breach in ("yes", "not_known")
        or incident.personal_data in ("yes", "not_sure")
        or bool(incident.aware_on or incident.ico_decision)
    )
    if not show:
        return {"show": False}
    powers = incident.powers_of(context.get("user"))
    return {
        "show": True,
        "incident": incident,
        "latest": latest_assessment(incident),
        "clock": ico_clock_state(incident),
        "may_assess": powers.can_assess_breach,
        "may_decide": powers.can_decide_breach,
    }


@register.simple_tag
def ico_clock(incident: Incident) -> ClockState:
    """`{% ico_clock incident as clock %}`: for lists and work views (`breaches/_clock_tag.html`)."""
    return ico_clock_state(incident)
