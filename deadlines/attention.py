"""When a stored deadline next needs the scan: the moments at which what it owes changes.

`Deadline.attention_at` holds the next of these moments (empty: nothing more to chase), under a
partial index, so the scan reads only the rows whose moment has come instead of every open
incident. `store.py` sets it to the first moment whenever it writes a row (a step that moves a
deadline moves its moment with it, in the step's transaction); the scan moves it on to the next
moment after the one it chased. The moments are those at which `scan.incident_needs` and
`scan.action_needs` start to answer differently, so the two cannot disagree.
"""

from datetime import datetime, timedelta
from typing import Any

from .compute import end_of_day
from .models import Deadline, ico_warning_hours
from .workingdays import add_working_days


def moments(due: Any, action_escalate_days: int | None = None) -> list[datetime]:
    """Every moment at which this open deadline owes a new escalation, earliest first.

    An ICO clock at each reminder point (`ICO_REMINDER_HOURS`) and when it runs out; an action
    when it falls due and again `action_escalate_days` working days later; any other when it
    falls due. A met or stopped deadline owes nothing.
    """
    if not due.is_open:
        return []
    if due.kind == Deadline.Kind.ICO:
        return sorted(due.due_at - timedelta(hours=h) for h in ico_warning_hours())
    if due.kind == Deadline.Kind.ACTION and due.due_date is not None and action_escalate_days is not None:
        # "Still overdue" from the start of the day that many working days after the due date.
        still = end_of_day(add_working_days(due.due_date, action_escalate_days, due.nation) - timedelta(days=1))
        return [due.due_at, max(due.due_at, still)]
    return [due.due_at]


def first(due: Any, action_escalate_days: int | None = None) -> datetime | None:
    """Where a freshly written row starts: its first moment, even if that has passed (the scan
    then looks once, and an occasion already chased is not chased again)."""
    found = moments(due, action_escalate_days)
    return found[0] if found else None


def after(due: Any, now: datetime, action_escalate_days: int | None = None) -> datetime | None:
    """The first moment later than `now`: where a row goes once the scan has chased it at `now`."""
    return next((m for m in moments(due, action_escalate_days) if m > now), None)
