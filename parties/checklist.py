"""The incident's list of outside bodies: those its organisation tells of its type (the
checklist: told / not yet / not needed with a reason), any other body told, and the ICO from
the breach record, in one list. Read by the incident page's panel and the case file."""

from dataclasses import dataclass, field
from typing import Any

from incidents.models import Incident

from .models import REFERENCE_LABELS, Body, BodyNotice
from .rules import RuleRows

ICO = "ico"


@dataclass
class Item:
    body: str
    name: str
    expected: bool  # on the organisation's list for the incident's type
    hours: int | None = None
    notices: list[BodyNotice] = field(default_factory=list)
    due: Any = None  # the stored deadline, where the body sets one
    # The ICO's row comes from the breach record, not from notices.
    ico_state: str = ""
    ico_when: Any = None
    ico_reference: str = ""

    @property
    def latest(self) -> BodyNotice | None:
        return self.notices[-1] if self.notices else None

    @property
    def state(self) -> str:
        """ "told", "not_needed" or "not_yet"."""
        if self.body == ICO:
            return self.ico_state
        latest = self.latest
        if latest is None:
            return "not_yet"
        if any(n.outcome == BodyNotice.Outcome.TOLD for n in self.notices):
            return "told"
        return "not_needed"

    @property
    def told(self) -> list[BodyNotice]:
        return [n for n in self.notices if n.outcome == BodyNotice.Outcome.TOLD]

    @property
    def reference_label(self) -> str:
        return "ICO case reference" if self.body == ICO else REFERENCE_LABELS[self.body]


def _ico(incident: Incident) -> Item | None:
    relevant = incident.ico_reported_on or incident.ico_decision or incident.personal_data_breach == "yes"
    if not relevant:
        return None
    state = "not_yet"
    if incident.ico_reported_on:
        state = "told"
    elif incident.ico_decision == Incident.IcoDecision.RECORD_ONLY:
        state = "not_needed"
    return Item(
        body=ICO,
        name="Information Commissioner's Office (ICO)",
        expected=True,
        hours=Incident.ICO_HOURS,
        ico_state=state,
        ico_when=incident.ico_reported_on,
        ico_reference=incident.ico_reference,
    )


def items_for(incident: Incident, notices: list[BodyNotice] | None = None, deadlines: Any = None) -> list[Item]:
    """The incident's bodies: the checklist's first, then others told, then the ICO."""
    if notices is None:
        notices = list(incident.body_notices.select_related("recorded_by"))
    if deadlines is None:
        deadlines = list(incident.deadlines.all())
    due_by_kind = {d.kind: d for d in deadlines if d.action_id is None}
    items: dict[str, Item] = {}
    # The incident page says whether any organisation set rules for the type; if none did, the
    # built-in defaults apply and nothing need be read.
    type_ids = [incident.incident_type_id] if getattr(incident, "has_type_rules", True) else []
    for applies in RuleRows(type_ids).applying(incident.organisation, incident.incident_type):
        items[applies.body] = Item(applies.body, applies.label, True, applies.hours)
    for notice in notices:
        key = notice.body if notice.body != Body.OTHER else f"other:{notice.body_name.lower()}"
        if notice.body == Body.OTHER and Body.OTHER in items and not items[Body.OTHER].notices:
            key = Body.OTHER
        if key not in items:
            items[key] = Item(notice.body, notice.name, False)
        items[key].notices.append(notice)
    for item in items.values():
        item.due = due_by_kind.get(f"body_{item.body}") if item.expected else None
    result = list(items.values())
    ico = _ico(incident)
    if ico is not None:
        ico.due = due_by_kind.get("ico")
        result.append(ico)
    return result
