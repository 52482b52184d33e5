"""Template helpers for anonymous and confidential reports.

    {% load privacy %}
    {{ incident|reporter_for:user }}            who reported, as the viewer may see it
    {% incident_privacy_panel incident %}       the incident page's panel

Times about an incident are formatted by `core/templatetags/times.py` (lib/clock.py); the
filters are registered here too, so a template that loads `privacy` has them.
"""

from typing import Any

from django import template

from core.templatetags import times
from incidents.models import Incident
from lib import clock

from ..models import IdentityRequest, PublicReportPage

register = template.Library()

for _name in ("reported_time", "incident_time", "incident_time_long", "incident_iso"):
    register.filter(_name, getattr(times, _name))


def day_precision(incident: Incident) -> bool:
    return clock.precision_of(incident) == clock.Precision.DAY


@register.filter
def reporter_for(incident: Incident, viewer: Any) -> str:
    """Who reported `incident`, as `viewer` may see it ("Confidential reporter" to most)."""
    return incident.reporter_display(viewer)


@register.inclusion_tag("anonymous/_incident_panel_body.html", takes_context=True)
def incident_privacy_panel(context: template.Context, incident: Incident) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    confidential = bool(incident.reporter_confidential and incident.has_named_reporter)
    # `.all()` reads what the incident page fetched with its lists (anonymous/apps.py).
    fetched = "identity_requests" in getattr(incident, "_prefetched_objects_cache", {})
    asked = (
        incident.identity_requests.all()
        if fetched
        else incident.identity_requests.select_related("requested_by", "decided_by")
    )
    requests = list(asked) if confidential else []
    p = incident.powers_of(user)
    return {
        "incident": incident,
        "user": user,
        "confidential": confidential,
        "may_see": confidential and p.can_see_confidential_reporter,
        "is_dpo": confidential and p.can_decide_identity_requests,
        "requests": requests,
        "own_requests": [r for r in requests if user is not None and r.requested_by_id == user.pk],
        "has_receipt": incident.reporter_anonymous and hasattr(incident, "anonymous_receipt"),
        "day_precision": day_precision(incident),
        "csrf_token": context.get("csrf_token"),
        "pending": IdentityRequest.Status.PENDING,
    }


@register.simple_tag
def public_report_page(organisation: Any) -> PublicReportPage | None:
    return PublicReportPage.objects.filter(organisation=organisation).first()
