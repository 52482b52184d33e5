from typing import Any

from django import template

from incidents.models import Incident

register = template.Library()


@register.inclusion_tag("casefile/_link.html", takes_context=True)
def casefile_link(context: dict[str, Any], incident: Incident) -> dict[str, Any]:
    """The link to the case file, for those who may download it (the incident's handlers)."""
    show = incident.powers_of(context["request"].user).can_download_case_file
    return {"incident": incident, "show": show}
