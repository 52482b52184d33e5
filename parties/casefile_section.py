"""The case file's section on third parties and other bodies told (registered in PartiesConfig.ready)."""

from typing import Any

from django.utils import dateformat, timezone

from incidents.models import Incident

from .checklist import items_for
from .models import IncidentParty

STATES = {"told": "Told", "not_needed": "Not needed", "not_yet": "Not yet told"}


def _when(value: Any) -> str:
    return dateformat.format(timezone.localtime(value), "j F Y, H:i") if value else "Not recorded"


def parties_sections(incident: Incident, viewer: Any) -> list[dict[str, Any]]:
    """The third party involved, and every body told or on the checklist; nothing if neither."""
    rows: list[dict[str, str]] = []
    link = IncidentParty.objects.filter(incident=incident).select_related("third_party").first()
    if link is not None:
        party = link.third_party
        rows.append(
            {
                "label": "Third party involved",
                "value": f"{party.name} ({party.get_kind_display()})"
                + (f"; contract or agreement {party.contract_reference}" if party.contract_reference else "")
                + (f"; contact {party.contact}" if party.contact else ""),
            }
        )
        rows.append({"label": "They told us on", "value": _when(link.processor_told_us_on)})
        if party.is_controller:
            rows.append({"label": "We told the controller on", "value": _when(link.controller_told_on)})
    for item in items_for(incident):
        if item.body == "ico":
            value = STATES[item.state] + (f" on {_when(item.ico_when)}" if item.ico_when else "")
            value += f"; reference {item.ico_reference}" if item.ico_reference else ""
            rows.append({"label": item.name, "value": value})
            continue
        parts = [STATES[item.state] + ("" if item.expected else " (not on the checklist for this type)")]
        if item.hours:
            parts.append(f"asks to be told within {item.hours} hours")
        for n in item.notices:
            if n.outcome == "told":
                parts.append(
                    f"told on {_when(n.told_on)} by {n.made_by or 'not recorded'}"
                    + (f", reference {n.reference}" if n.reference else "")
                )
            else:
                parts.append(f"not needed: {n.reason}")
        rows.append({"label": item.name, "value": "; ".join(parts)})
    if not rows:
        return []
    return [{"title": "Third parties and other bodies told", "rows": rows}]
