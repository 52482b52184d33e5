from typing import Any

from django import template

from actions.access import is_handler_for
from incidents.models import Incident

register = template.Library()


@register.inclusion_tag("casefile/_link.html", takes_context=True)
def casefile_link(context: dict[str, Any], incident: Incident) -> dict[str, Any]:
    """The link to the case file, for handlers only.

    Used on the incident page, which only its handlers and its investigator can open: anyone
    there who is not the investigator is a handler, so the membership query is needed only
    for the investigator (who may also be a handler).
    """
    user = context["request"].user
    show = incident.investigator_id != user.pk or is_handler_for(user, incident.organisation)
    return {"incident": incident, "show": show}
