"""The remedial-actions panel on the incident page."""

from typing import Any

from django import template
from django.utils import timezone

from incidents.models import Incident

register = template.Library()


@register.inclusion_tag("actions/_panel.html", takes_context=True)
def actions_panel(context: dict[str, Any], incident: Incident) -> dict[str, Any]:
    # Whoever sees the incident page may raise actions on it (its handlers and investigator).
    # `.all()`: the incident page prefetched them with their owners.
    actions = list(incident.remedial_actions.all())
    return {"incident": incident, "actions": actions, "today": timezone.localdate()}
