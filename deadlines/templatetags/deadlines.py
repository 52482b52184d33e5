"""Due dates in templates.

    {% include "deadlines/_incident_panel.html" %}   (needs `incident` in the context)
    {% due_cell incident %}                          (a list's column: the most pressing due date)

`due_cell` works out the whole page's incidents in one go the first time it is used in a
render (from `page_obj` in the context), so a list's query count does not grow with rows.
"""

from typing import Any

from django import template
from django.db.models import Max, Q
from django.utils import timezone

from actions.models import RemedialAction
from incidents.models import Incident, ReporterMessage

from ..compute import Due, incident_dues, most_pressing
from ..models import Timescales, effective_timescales

register = template.Library()


def _state(due: Due, now: Any) -> str:
    if due.not_needed:
        return "not-needed"
    if due.is_done:
        return "done"
    if due.is_overdue(now):
        return "overdue"
    return "due"


@register.inclusion_tag("deadlines/_panel_body.html")
def incident_deadlines(incident: Incident) -> dict[str, Any]:
    now = timezone.now()
    # `.all()`: the incident page prefetched its messages and actions for its own panels.
    last_update = max(
        (m.sent_on for m in incident.reporter_messages.all() if m.direction == ReporterMessage.Direction.TO_REPORTER),
        default=None,
    )
    actions = [a for a in incident.remedial_actions.all() if a.status != RemedialAction.Status.CANCELLED]
    dues = incident_dues(
        incident,
        effective_timescales(incident.organisation),
        last_reporter_update=last_update,
        actions=actions,
        now=now,
    )
    rows = [{"due": d, "phrase": d.phrase(now), "when": d.when(), "state": _state(d, now)} for d in dues]
    # Escalations are events, so the incident's timeline shows them with who was told.
    return {"rows": rows, "incident": incident}


@register.simple_tag(takes_context=True)
def due_cell(context: template.Context, incident: Incident) -> str:
    """The most pressing due date of `incident`, e.g. "Triage: overdue by 2 working days"."""
    cache = context.render_context.get("deadlines_due_cells")
    if cache is None:
        page = context.get("page_obj")
        rows = list(getattr(page, "object_list", None) or [incident])
        cache = _page_dues(rows)
        context.render_context["deadlines_due_cells"] = cache
    if incident.pk not in cache:
        cache.update(_page_dues([incident]))
    return cache[incident.pk]


def _page_dues(rows: list[Incident]) -> dict[int, str]:
    now = timezone.now()
    ids = [r.pk for r in rows]
    incidents = list(
        Incident.objects.filter(pk__in=ids)
        .select_related("organisation")
        .annotate(
            last_update=Max(
                "reporter_messages__sent_on",
                filter=Q(reporter_messages__direction=ReporterMessage.Direction.TO_REPORTER),
            )
        )
    )
    ancestor_ids = {a for i in incidents for a in i.organisation.ancestor_ids()}
    timescale_rows = {
        t.organisation_id: t
        for t in Timescales.objects.filter(organisation_id__in=ancestor_ids).select_related("organisation")
    }
    result: dict[int, str] = {}
    for incident in incidents:
        if incident.status not in Incident.OPEN_STATUSES:
            result[incident.pk] = ""
            continue
        dues = incident_dues(
            incident,
            effective_timescales(incident.organisation, timescale_rows),
            last_reporter_update=incident.last_update,
        )
        pressing = most_pressing(dues, now)
        result[incident.pk] = f"{pressing.label}: {pressing.phrase(now)}" if pressing else ""
    return result
