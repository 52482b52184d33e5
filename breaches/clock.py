"""The 72-hour ICO clock (UK GDPR Art. 33(1)): from awareness, in clock hours.

72 hours are 72 real hours, whatever the wall clock does: the deadline is worked out on
aware-aware datetimes (UTC underneath), so a change between GMT and BST moves the local
time shown, never the length. Others call `ico_deadline` and `ico_clock_state`; nothing
here writes.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from incidents.models import Incident

ICO_HOURS = 72


def awareness(incident: Incident) -> datetime | None:
    """When the clock starts: the awareness time set at triage, else the report time when the
    reporter said personal data was involved (the cautious default), else not started."""
    if incident.aware_on is not None:
        return incident.aware_on
    if incident.personal_data == Incident.YesNoNotSure.YES and incident.personal_data_breach != "no":
        return incident.reported_on
    return None


def ico_deadline(incident: Incident) -> datetime | None:
    """72 clock hours after awareness, or None when there is no awareness time (yet)."""
    start = awareness(incident)
    return None if start is None else start + timedelta(hours=ICO_HOURS)


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
    now = now or timezone.now()
    deadline = ico_deadline(incident)
    if incident.personal_data_breach == "no" or incident.ico_decision == Incident.IcoDecision.RECORD_ONLY:
        return ClockState("not_needed", deadline)
    if deadline is None:
        return ClockState("not_started", None)
    if incident.ico_reported_on is not None:
        return ClockState("reported", deadline, reported_on=incident.ico_reported_on)
    if incident.status in Incident.CLOSED_STATUSES:
        return ClockState("closed", deadline)
    left = (deadline - now).total_seconds()
    return ClockState("running" if left >= 0 else "overdue", deadline, seconds_left=left)


def running_clocks(incidents: Any, now: datetime | None = None) -> list[tuple[Incident, ClockState]]:
    """The incidents of `incidents` whose ICO clock is running or overdue, most urgent first."""
    from django.db.models import Q

    candidates = (
        incidents.filter(ico_reported_on__isnull=True, status__in=Incident.OPEN_STATUSES)
        .exclude(personal_data_breach="no")
        .exclude(ico_decision=Incident.IcoDecision.RECORD_ONLY)
        .filter(Q(aware_on__isnull=False) | Q(personal_data=Incident.YesNoNotSure.YES))
        .select_related("organisation")
    )
    states = [(incident, ico_clock_state(incident, now)) for incident in candidates]
    running = [(i, s) for i, s in states if s.is_running]
    running.sort(key=lambda pair: pair[1].seconds_left or 0)
    return running
