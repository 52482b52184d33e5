"""Times about an incident, at the precision its report allows (lib/clock.py).

    {% load times %}
    {{ incident|reported_time:"reported_on" }}        a time field of the incident
    {{ note.created_on|incident_time:incident }}      any time about the incident
    {{ note.created_on|incident_time_long:incident }} the same with the month's full name
    {{ note.created_on|incident_iso:incident }}       for a <time datetime="..."> attribute
    {{ row.reported_on|time_shown }}                  a value already cut by `clock.cut` (a log row)

Every template that shows a time about an incident uses these: an anonymous report's
times are shown to the day unless its organisation chose exact times.
"""

from typing import Any

from django import template

from lib import clock

register = template.Library()


@register.filter
def reported_time(incident: Any, field: str = "reported_on") -> str:
    return clock.show(getattr(incident, field, None), clock.precision_of(incident))


@register.filter
def incident_time(value: Any, incident: Any) -> str:
    return clock.show(value, clock.precision_of(incident))


@register.filter
def incident_time_long(value: Any, incident: Any) -> str:
    return clock.show(value, clock.precision_of(incident), long=True)


@register.filter
def incident_iso(value: Any, incident: Any) -> str:
    return clock.iso(value, clock.precision_of(incident))


@register.filter
def time_shown(value: Any) -> str:
    """A datetime to the minute, a date (what `clock.cut` leaves at DAY precision) to the day."""
    return clock.show(value, clock.Precision.EXACT)
