"""The third parties and other bodies panel on the incident page."""

from typing import Any

from django import template

from incidents.models import Incident

from ..checklist import items_for
from ..models import ExternalReporter, IncidentParty

register = template.Library()


@register.inclusion_tag("parties/_panel.html", takes_context=True)
def parties_panel(context: dict[str, Any], incident: Incident) -> dict[str, Any]:
    user = context["request"].user
    link = IncidentParty.objects.filter(incident=incident).select_related("third_party").first()
    # `.all()`: the incident page prefetched its deadlines.
    items = items_for(incident, deadlines=list(incident.deadlines.all()))
    return {
        "incident": incident,
        "link": link,
        "items": items,
        "external": ExternalReporter.objects.filter(incident=incident).first(),
        "may_record": incident.powers_of(user).can_record_others_told,
    }
