"""The third parties and other bodies panel on the incident page."""

from typing import Any

from django import template
from django.core.exceptions import ObjectDoesNotExist

from incidents.models import Incident

from ..checklist import items_for

register = template.Library()


def _one(incident: Incident, name: str) -> Any:
    """A reverse one-to-one, or None (fetched with the incident when the page asked for it)."""
    try:
        return getattr(incident, name)
    except ObjectDoesNotExist:
        return None


@register.inclusion_tag("parties/_panel.html", takes_context=True)
def parties_panel(context: dict[str, Any], incident: Incident) -> dict[str, Any]:
    user = context["request"].user
    # `.all()` and the one-to-one: the incident page fetched them with the incident.
    items = items_for(incident, notices=list(incident.body_notices.all()), deadlines=list(incident.deadlines.all()))
    return {
        "incident": incident,
        "link": _one(incident, "third_party_link"),
        "items": items,
        "may_record": incident.powers_of(user).can_record_others_told,
    }
