"""Due dates in templates, read from the stored deadlines.

    {% include "deadlines/_incident_panel.html" %}   (needs `incident` in the context)
    {% due_cell incident %}                          (a list's column: the most pressing due date)

`due_cell` reads the whole page's incidents in one query the first time it is used in a
render (from `page_obj` in the context), so a list's query count does not grow with rows.
"""

from typing import Any

from django import template
from django.utils import timezone

from incidents.models import Incident

from ..compute import most_pressing
from ..models import Deadline

register = template.Library()

ORDER = [k.value for k in Deadline.Kind]


@register.inclusion_tag("deadlines/_panel_body.html")
def incident_deadlines(incident: Incident) -> dict[str, Any]:
    now = timezone.now()
    # `.all()`: the incident page fetched the incident's deadlines once for every panel.
    stored = sorted(
        (d for d in incident.deadlines.all() if d.stopped != Deadline.Stopped.CANCELLED),
        key=lambda d: (ORDER.index(d.kind), d.due_at, d.pk),
    )
    rows = [{"due": d, "phrase": d.phrase(now), "when": d.when(), "state": d.state(now)} for d in stored]
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
    result: dict[int, str] = {r.pk: "" for r in rows}
    by_incident: dict[int, list[Deadline]] = {}
    open_rows = Deadline.objects.open().filter(
        incident_id__in=list(result), incident__status__in=Incident.OPEN_STATUSES, action__isnull=True
    )
    for row in open_rows:
        by_incident.setdefault(row.incident_id, []).append(row)  # type: ignore[arg-type]
    for incident_id, dues in by_incident.items():
        pressing = most_pressing(dues)
        if pressing is not None:
            result[incident_id] = f"{pressing.label}: {pressing.phrase(now)}"
    return result
