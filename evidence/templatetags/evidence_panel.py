"""The evidence panel on the incident page: its items and each item's custody log."""

from typing import Any

from django import template

from audit.log import label
from audit.models import Event
from incidents.models import Incident

register = template.Library()


def actor_name(event: Event, incident: Incident, viewer: Any, reporter_shown: str) -> str:
    """Who did it, as `viewer` may see it: a confidential reporter stays confidential."""
    if event.actor_id is None:
        return "No account"
    if incident.reported_by_id is not None and event.actor_id == incident.reported_by_id:
        return reporter_shown
    return event.actor.full_name or event.actor.email  # type: ignore[union-attr]


def _moved_in(events: list[Event], custody: dict[str, Any]) -> set[int]:
    """The duplicates whose evidence shown here was merged in (from the merges' events)."""
    found: set[int] = set()
    for event in events:
        if event.action != "incident.duplicates_merged":
            continue
        after = event.after or {}
        references = set((after.get("evidence") or {}).values())
        if not any(key in custody for key in after.get("evidence") or {}):
            continue
        found |= {d["id"] for d in after.get("duplicates", []) if d.get("reference") in references}
    return found


@register.inclusion_tag("evidence/_panel.html", takes_context=True)
def evidence_panel(context: dict[str, Any], incident: Incident) -> dict[str, Any]:
    user = context["request"].user
    # `.all()`: the incident page prefetched them (with who uploaded and withdrew each).
    items = list(incident.evidence.all())
    custody: dict[str, list[dict[str, Any]]] = {str(item.uuid): [] for item in items}
    if items:
        reporter_shown = incident.reporter_display(user) if incident.reported_by_id else ""
        # The page's timeline holds every event of the incident: read it rather than ask again.
        timeline = context.get("events")
        events = (
            timeline
            if timeline is not None
            else Event.objects.filter(record_type=label(incident), record_id=str(incident.pk)).select_related("actor")
        )
        events = list(events)
        moved_in = _moved_in(events, custody)
        if moved_in:
            # Evidence merged in from duplicates: its custody on the duplicate comes first.
            events = (
                list(
                    Event.objects.filter(
                        record_type=label(incident),
                        record_id__in=[str(pk) for pk in moved_in],
                        action__startswith="evidence.",
                    ).select_related("actor")
                )
                + events
            )
        for event in events:
            after = event.after or {}
            if event.action == "incident.duplicates_merged":
                for key, reference in (after.get("evidence") or {}).items():
                    if key in custody:
                        custody[key].append(
                            {
                                "event": event,
                                "actor": actor_name(event, incident, user, reporter_shown),
                                "words": f"Moved here from {reference}, closed as its duplicate",
                            }
                        )
                continue
            key = str(after.get("evidence", "")) if event.action.startswith("evidence.") else ""
            if key in custody:
                custody[key].append({"event": event, "actor": actor_name(event, incident, user, reporter_shown)})
    p = incident.powers_of(user)
    rows = [
        {
            "item": item,
            "custody": custody[str(item.uuid)],
            "may_download": not item.is_withdrawn or p.can_download_withdrawn_evidence,
            "may_withdraw": not item.is_withdrawn and p.can_withdraw_evidence(item.uploaded_by_id),
        }
        for item in items
    ]
    return {"incident": incident, "rows": rows, "may_upload": p.can_add_evidence}
