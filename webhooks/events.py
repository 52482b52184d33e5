"""The event types a webhook may subscribe to: one table, read by the subscriber, the form and the docs.

Each type is heard from an event the house already writes through `incidents.registry.publish`
(a lifecycle step's event, or an escalation of the deadline scan), so a webhook says exactly
what the incident's record says, and nothing happens here that did not happen there.

    TYPES["incident.triaged"] -> EventType(label, actions, when)

`actions`: the registry actions it is heard from; `when(event)`: a further condition on the
event's before/after (a change of severity is a reclassification that changed the severity).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def _always(event: Any) -> bool:
    return True


def _severity_changed(event: Any) -> bool:
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    return "severity" in after and after.get("severity") != before.get("severity")


def _threshold(value: str) -> Callable[[Any], bool]:
    def check(event: Any) -> bool:
        after = event.after if isinstance(event.after, dict) else {}
        return after.get("threshold") == value

    return check


def _ico_reminder(event: Any) -> bool:
    after = event.after if isinstance(event.after, dict) else {}
    return str(after.get("threshold", "")).startswith("clock:") and after.get("threshold") != "clock:overdue"


@dataclass(frozen=True)
class EventType:
    label: str
    actions: tuple[str, ...]
    when: Callable[[Any], bool] = _always


TYPES: dict[str, EventType] = {
    "incident.reported": EventType("An incident is reported", ("incident.reported",)),
    "incident.triaged": EventType("An incident is triaged", ("incident.triaged",)),
    "incident.severity_changed": EventType(
        "An incident's severity changes on reclassification", ("incident.reclassified",), _severity_changed
    ),
    "incident.investigator_assigned": EventType(
        "An investigating officer is assigned", ("incident.investigator_assigned",)
    ),
    "incident.outcome_submitted": EventType("An outcome report is submitted", ("incident.outcome_submitted",)),
    "incident.closed": EventType(
        "An incident is closed", ("incident.closed", "incident.closed_not_incident", "incident.closed_duplicate")
    ),
    "incident.reopened": EventType("A closed incident is reopened", ("incident.reopened",)),
    "incident.triage_overdue": EventType("An incident is not triaged in time", ("escalation.triage_overdue",)),
    "incident.investigation_overdue": EventType(
        "An incident's outcome report is overdue", ("escalation.investigation_overdue",)
    ),
    "ico_clock.reminder": EventType(
        "The ICO 72-hour clock reaches one of its reminder points",
        ("escalation.ico_clock",),
        _ico_reminder,
    ),
    "ico_clock.overdue": EventType(
        "The ICO 72-hour clock runs out", ("escalation.ico_clock",), _threshold("clock:overdue")
    ),
    "action.overdue": EventType("A remedial action is overdue", ("escalation.action_overdue",)),
    "others.overdue": EventType(
        "The controller or an outside body is not told in time",
        ("escalation.controller_overdue", "escalation.body_overdue"),
    ),
}

# The registry prefixes the subscriber listens to (the escalations are heard under "escalation.").
PREFIXES = tuple(sorted({action.split(".")[0] + "." for t in TYPES.values() for action in t.actions}))


def types_of(event: Any) -> list[str]:
    """The event types `event` (an `audit.Event`) counts as, in the table's order."""
    return [name for name, t in TYPES.items() if event.action in t.actions and t.when(event)]


CHOICES = [(name, t.label) for name, t in TYPES.items()]
