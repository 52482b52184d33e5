"""What a list says about each incident.

    {% load incident_lists %}
    {{ incident|summary_for:user }}     what happened, on one line (~100 characters)
    {{ incident|status_tag }}           its status as a coloured tag whose words say it

Every incident list (all incidents, the triage queue, assigned to me, major and critical, ICO
clocks, the home page, a reporter's own reports) shows the summary through this filter; the
monitoring log, which reads plain values, calls the same `lib.text.one_line`. The status tag is
this filter's everywhere (`incidents/status_tag.html` calls it): a list of fifty rows draws it
in Python rather than through an include a row.
"""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from incidents.models import Incident
from lib.text import one_line

register = template.Library()

# The tag's colour for each status; closed (and anything else) grey. Words, not colour, carry it.
STATUS_COLOURS: dict[str, str] = {
    Incident.Status.REPORTED: "blue",
    Incident.Status.TRIAGED: "light-blue",
    Incident.Status.INVESTIGATING: "yellow",
    Incident.Status.OUTCOME_SUBMITTED: "purple",
}


@register.filter
def status_tag(incident: Incident) -> SafeString:
    colour = STATUS_COLOURS.get(incident.status, "grey")
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, incident.get_status_display())


@register.filter
def summary_for(incident: Incident, viewer: Any) -> str:
    """The reported description on one line, for a viewer who may already read it in full: someone
    who may open the incident (`Powers.can_view`) or the named reporter who wrote it. Anyone
    else gets nothing, so a list can never show more than the incident page would.

    The summary holds only what the reporter wrote: never who reported (an anonymous or
    confidential reporter's name is the incident page's `reporter_for` to give or withhold).
    """
    own = incident.reported_by_id is not None and incident.reported_by_id == getattr(viewer, "pk", None)
    if not own and not incident.powers_of(viewer).can_view:
        return ""
    return one_line(incident.description)
