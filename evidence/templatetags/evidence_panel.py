"""The evidence panel on the incident page: its items and each item's custody log."""

from typing import Any

from django import template

from audit.log import label
from audit.models import Event
from incidents.models import Incident
from organisations.models import HANDLER_ROLES, Role

from ..models import holds_role_over

register = template.Library()


def actor_name(event: Event, incident: Incident, viewer: Any, reporter_shown: str) -> str:
    """Who did it, as `viewer` may see it: a confidential reporter stays confidential."""
    if event.actor_id is None:
        return "No account"
    if incident.reported_by_id is not None and event.actor_id == incident.reported_by_id:
        return reporter_shown
    return event.actor.full_name or event.actor.email  # type: ignore[union-attr]


@register.inclusion_tag("evidence/_panel.html", takes_context=True)
def evidence_panel(context: dict[str, Any], incident: Incident) -> dict[str, Any]:
    user = context["request"].user
    items = list(incident.evidence.select_related("uploaded_by", "withdrawn_by"))
    custody: dict[str, list[dict[str, Any]]] = {str(item.uuid): [] for item in items}
    if items:
        reporter_shown = incident.reporter_display(user) if incident.reported_by_id else ""
        events = Event.objects.filter(
            record_type=label(incident), record_id=str(incident.pk), action__startswith="evidence."
        ).select_related("actor")
        for event in events:
            key = str((event.after or {}).get("evidence", ""))
            if key in custody:
                custody[key].append({"event": event, "actor": actor_name(event, incident, user, reporter_shown)})
    # Only the incident's handlers and its investigator can open the incident page: anyone
    # else here is a handler, so only the investigator needs the membership query.
    is_handler = bool(items) and (incident.investigator_id != user.pk or holds_role_over(user, incident, HANDLER_ROLES))
    may_see_withdrawn = any(i.is_withdrawn for i in items) and holds_role_over(user, incident, {Role.DPO, Role.SIRO})
    rows = [
        {
            "item": item,
            "custody": custody[str(item.uuid)],
            "may_download": not item.is_withdrawn or may_see_withdrawn,
            "may_withdraw": not item.is_withdrawn and (is_handler or item.uploaded_by_id == user.pk),
        }
        for item in items
    ]
    return {"incident": incident, "rows": rows}
