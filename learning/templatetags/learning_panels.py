"""The panels other apps' pages include by name: the incident page's similar incidents and the
reporter's training, the triage page's known errors, the dashboard's training figure."""

from typing import Any

from django import template

from .. import search, services
from ..models import SearchEntry

register = template.Library()


@register.inclusion_tag("learning/_incident_panel.html")
def learning_panel(incident: Any, user: Any, powers: Any) -> dict[str, Any]:
    """Similar incidents (from the search index, among those `user` may open) and, for handlers,
    the training of the reporter when the page names them."""
    if not powers.can_view:
        return {"show": False}
    similar = search.similar(user, incident, kinds=[SearchEntry.Kind.INCIDENT])
    reporter = incident.reporter_named_for(user) if powers.is_handler else None
    # Read in the incident's own query (incidents.panels.detail_queryset), not asked again here.
    course = getattr(incident, "reporter_training_course", None)
    training = [{"course": course, "completed_on": incident.reporter_training_on}] if course else []
    return {
        "show": True,
        "incident": incident,
        "similar": similar,
        "reporter": reporter,
        "training": training,
        "may_raise": powers.can_raise_known_error,
    }


@register.inclusion_tag("learning/_known_errors_panel.html")
def known_errors_panel(incident: Any, user: Any) -> dict[str, Any]:
    """Known errors that may apply to `incident`, offered while triaging it."""
    return {"known_errors": search.similar(user, incident, kinds=[SearchEntry.Kind.KNOWN_ERROR], limit=3)}


@register.inclusion_tag("learning/_dashboard_training.html")
def training_figure(scope: Any) -> dict[str, Any]:
    return {"figure": services.completion(scope.organisation), "scope": scope}
