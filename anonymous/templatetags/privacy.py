"""Template helpers for anonymous and confidential reports.

    {% load privacy %}
    {{ incident|reported_time:"reported_on" }}      a time field of the incident
    {{ event.created_on|incident_time:incident }}   any time about the incident
    {{ event.created_on|incident_iso:incident }}    the same for a <time datetime="..."> attribute

Anonymous reports' times are shown to the day unless the organisation chose exact times
(an exact time can tell who was on duty). Other incidents keep "j M Y, H:i".
"""

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

from incidents.models import Incident

from ..models import IdentityRequest, PublicReportPage

register = template.Library()

EXACT = "j M Y, H:i"
DAY = "j M Y"


def day_precision(incident: Incident) -> bool:
    if not getattr(incident, "reporter_anonymous", False):
        return False
    cached = getattr(incident, "_anonymous_day_precision", None)
    if cached is None:
        cached = not PublicReportPage.exact_times_for(incident.organisation_id)
        incident._anonymous_day_precision = cached  # type: ignore[attr-defined]
    return bool(cached)


def _format(value: Any, day: bool) -> str:
    if not isinstance(value, datetime):
        return "" if value is None else str(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return date_format(local, DAY if day else EXACT)


@register.filter
def reported_time(incident: Incident, field: str = "reported_on") -> str:
    return _format(getattr(incident, field, None), day_precision(incident))


@register.filter
def incident_time(value: Any, incident: Incident) -> str:
    return _format(value, day_precision(incident))


@register.filter
def incident_iso(value: Any, incident: Incident) -> str:
    """For a `<time datetime="...">` attribute: the date alone when the page shows the day."""
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return local.date().isoformat() if day_precision(incident) else local.isoformat()


@register.filter
def reporter_for(incident: Incident, viewer: Any) -> str:
    """Who reported `incident`, as `viewer` may see it ("Confidential reporter" to most)."""
    return incident.reporter_display(viewer)


@register.inclusion_tag("anonymous/_incident_panel_body.html", takes_context=True)
def incident_privacy_panel(context: template.Context, incident: Incident) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    confidential = bool(incident.reporter_confidential and incident.reported_by_id)
    requests = list(incident.identity_requests.select_related("requested_by", "decided_by")) if confidential else []
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
