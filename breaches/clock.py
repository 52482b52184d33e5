"""The 72-hour ICO clock (UK GDPR Art. 33(1)) as the breach record shows it.

Display only: the deadlines app works the clock out (when it starts, when it ends, whether
it runs) and stores it with the incident's other deadlines; this reads that stored row (by
the relation's name: this app sits below deadlines and imports nothing from it), so the
breach pages, the ICO clocks page, the dashboard and the scan never disagree.

72 hours are 72 real hours, whatever the wall clock does: the stored end is an aware
datetime (UTC underneath), so a change between GMT and BST moves the local time shown,
never the length.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from incidents.models import Incident


def _stored(incident: Incident) -> Any:
    """The incident's stored ICO deadline row, or None when its clock has not started.

    Read from `.all()`, so the incident page's one fetch of the incident's deadlines serves the
    breach panel and the deadlines panel alike.
    """
    return next((row for row in incident.deadlines.all() if row.kind == "ico"), None)


def awareness(incident: Incident) -> datetime | None:
    """When the clock started (awareness, or the report when personal data was said to be involved)."""
    row = _stored(incident)
    return None if row is None else row.starts_at


def ico_deadline(incident: Incident) -> datetime | None:
    """When the 72 hours end, or None when the clock has not started."""
    row = _stored(incident)
    return None if row is None else row.due_at


@dataclass(frozen=True)
class ClockState:
    """Where the ICO clock stands.

    state: "not_started" (no awareness), "not_needed" (not a personal data breach, or the
    decision is record only), "closed" (the incident is closed without a report), "reported"
    (the ICO was told), "running" or "overdue".
    """

    state: str
    deadline: datetime | None
    seconds_left: float | None = None
    reported_on: datetime | None = None

    @classmethod
    def of(cls, row: Any, now: datetime | None = None, personal_data_breach: str = "") -> "ClockState":
        """From a stored ICO deadline row (None: no clock)."""
        if row is None:
            return cls("not_needed" if personal_data_breach == "no" else "not_started", None)
        if row.stopped == "record_only":
            return cls("not_needed", row.due_at)
        if row.met_at is not None:
            return cls("reported", row.due_at, reported_on=row.met_at)
        if row.stopped:
            return cls("closed", row.due_at)
        now = now or timezone.now()
        left = (row.due_at - now).total_seconds()
        return cls("overdue" if row.is_overdue(now) else "running", row.due_at, seconds_left=left)

    @property
    def is_running(self) -> bool:
        return self.state in ("running", "overdue")

    @property
    def hours_left(self) -> int | None:
        return None if self.seconds_left is None else int(self.seconds_left // 3600)

    @property
    def text(self) -> str:
        """In words, for pages and lists."""
        if self.state == "not_started":
            return "Not started: no awareness time recorded"
        if self.state == "not_needed":
            return "Not needed"
        if self.state == "closed":
            return "Stopped: the incident is closed"
        if self.state == "reported":
            assert self.reported_on is not None and self.deadline is not None
            late = self.reported_on > self.deadline
            return f"Reported to the ICO {timezone.localtime(self.reported_on):%-d %B %Y, %H:%M}" + (
                " (after the 72 hours)" if late else ""
            )
        assert self.seconds_left is not None
        if self.state == "overdue":
            return f"Overdue by {_duration(-self.seconds_left)}"
        return f"{_duration(self.seconds_left)} left"

    @property
    def tag_colour(self) -> str:
        if self.state == "overdue":
            return "red"
        if self.state == "reported":
            return "green"
        if self.state == "running":
            return "orange" if (self.seconds_left or 0) < 24 * 3600 else "yellow"
        return "grey"


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 1:
        return f"{hours} hour{'s' if hours != 1 else ''} {minutes} minute{'s' if minutes != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def ico_clock_state(incident: Incident, now: datetime | None = None) -> ClockState:
    if incident.personal_data_breach == "no":
        return ClockState("not_needed", None)
    return ClockState.of(_stored(incident), now, incident.personal_data_breach)
