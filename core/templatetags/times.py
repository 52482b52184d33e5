"""Times about an incident, at the precision its report allows (lib/clock.py).

    {% load times %}
    {{ incident|reported_time:"reported_on" }}        a time field of the incident
    {{ note.created_on|incident_time:incident }}      any time about the incident
    {{ note.created_on|incident_time_long:incident }} the same with the month's full name
    {{ note.created_on|incident_iso:incident }}       for a <time datetime="..."> attribute
    {{ incident.reported_on|incident_age:incident }}  "today", "3 days", "3 days, 2 hours"

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
def incident_age(value: Any, incident: Any) -> str:
    return clock.age(value, clock.precision_of(incident)) if value else ""
