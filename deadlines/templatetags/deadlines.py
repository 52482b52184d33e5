"""Due dates in templates, read from the stored deadlines.

    {% include "deadlines/_incident_panel.html" %}   (needs `incident` in the context)
    {% due_cell incident %}                          (a list's column: the most pressing due date)
    {% due_tag deadline %}                           (one stored deadline, marked if overdue or due soon)
    {% page_dues incidents %}                        (optional: read these incidents' dues at once)

`due_cell` reads the whole page's incidents in one query the first time it is used in a
render (from `page_dues`, else `page_obj` in the context), so a list's query count does not
grow with rows.

Overdue and due soon are marked with a tag whose words say it ("Overdue by 3 working days",
"Due in 5 hours"), never by colour alone; the rules are `Deadline.is_overdue` and
`Deadline.is_due_soon` (models.py), asked here and nowhere else by the lists.
"""

from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from incidents.models import Incident

from ..compute import most_pressing
from ..models import Deadline

register = template.Library()

ORDER = [k.value for k in Deadline.Kind]
CACHE = "deadlines_due_cells"
TAG_COLOURS = {"overdue": "red", "soon": "yellow"}


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


def due_words(deadline: Deadline | None, now: Any = None, label: bool = False) -> dict[str, Any]:
    """What a list shows of one deadline: its phrase, and the tag colour when it is overdue or due soon."""
    if deadline is None:
        return {"deadline": None, "empty": "Nothing due" if label else ""}
    now = now or timezone.now()
    urgency = deadline.urgency(now)
    phrase = deadline.phrase(now)
    return {
        "deadline": deadline,
        "label": deadline.label if label else "",
        "phrase": phrase[:1].upper() + phrase[1:] if urgency else phrase,
        "urgency": urgency,
        "colour": TAG_COLOURS.get(urgency, ""),
        "when": deadline.when(),
    }


def due_html(words: dict[str, Any]) -> SafeString:
    """`due_words` drawn: the label, then a tag when overdue or due soon, else the plain phrase.
    In Python, not an included template: a list draws it once a row."""
    if not words["deadline"]:
        return format_html("{}", words["empty"])
    label = format_html('<span class="app-due__label">{}:</span> ', words["label"]) if words["label"] else ""
    if words["urgency"]:
        tag = '{}<strong class="govuk-tag govuk-tag--{}">{}</strong>'
        return format_html(tag, label, words["colour"], words["phrase"])
    return format_html("{}{}", label, words["phrase"])


@register.simple_tag
def due_tag(deadline: Deadline | None, label: bool = False) -> SafeString:
    """One deadline: a tag saying "Overdue by …" or "Due in …" when it is overdue or due soon,
    its plain phrase otherwise ("due in 4 working days", "done on time")."""
    return due_html(due_words(deadline, label=label))


@register.simple_tag(takes_context=True)
def page_dues(context: template.Context, incidents: Any) -> str:
    """Read the open deadlines of `incidents` (incidents, or rows with an "incident") in one query."""
    rows = [i if isinstance(i, Incident) else i["incident"] for i in incidents]
    context.render_context[CACHE] = _page_dues(rows)
    return ""


@register.simple_tag(takes_context=True)
def due_cell(context: template.Context, incident: Incident) -> SafeString:
    """The most pressing open due date of `incident`, e.g. "Triage:" and a tag "Overdue by 2 working days"."""
    cache = context.render_context.get(CACHE)
    if cache is None:
        page = context.get("page_obj")
        rows = list(getattr(page, "object_list", None) or [incident])
        cache = _page_dues(rows)
        context.render_context[CACHE] = cache
    if incident.pk not in cache:
        cache.update(_page_dues([incident]))
    return due_html(due_words(cache[incident.pk], label=True))


def _page_dues(rows: list[Incident]) -> dict[int, Deadline | None]:
    result: dict[int, Deadline | None] = {r.pk: None for r in rows}
    by_incident: dict[int, list[Deadline]] = {}
    open_rows = Deadline.objects.open().of_incidents(result).filter(incident__status__in=Incident.OPEN_STATUSES)
    for row in open_rows:
        by_incident.setdefault(row.incident_id, []).append(row)  # type: ignore[arg-type]
    for incident_id, dues in by_incident.items():
        result[incident_id] = most_pressing(dues)
    return result
