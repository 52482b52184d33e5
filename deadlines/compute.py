"""Every due date of an incident, worked out from its facts and its organisation's timescales.

Working-day deadlines are dates: "due by the end of Monday 2 March" in the UK's local
time, so a clock change never moves them. The ICO clock counts clock hours from
awareness, so across a clock change 72 hours is still 72 hours.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from actions.models import RemedialAction
from incidents.models import Incident

from .models import ICO_HOURS, EffectiveTimescales
from .workingdays import add_working_days, working_days_between

URGENT = ("major", "critical")


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def end_of_day(day: date) -> datetime:
    """The moment `day` ends in local time (the first instant of the next day)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=local_tz())


def local_date(moment: datetime) -> date:
    return moment.astimezone(local_tz()).date()


@dataclass
class Due:
    """One deadline: what, by when, and whether it is met."""

    key: str
    label: str
    due: datetime  # the moment it becomes overdue
    basis: str  # how it was worked out, in plain words
    nation: str
    due_date: date | None = None  # set for working-day deadlines
    done_on: datetime | None = None
    not_needed: str = ""

    @property
    def is_done(self) -> bool:
        return self.done_on is not None or bool(self.not_needed)

    def is_overdue(self, now: datetime | None = None) -> bool:
        return not self.is_done and (now or timezone.now()) >= self.due

    def phrase(self, now: datetime | None = None) -> str:
        """ "due in 3 working days", "overdue by 5 hours", "done" """
        now = now or timezone.now()
        if self.not_needed:
            return self.not_needed
        if self.done_on is not None:
            return "done " + ("on time" if self.done_on < self.due else "late")
        if self.due_date is not None:
            today = local_date(now)
            if now >= self.due:
                days = working_days_between(self.due_date, today, self.nation)
                return f"overdue by {plural(days, 'working day')}" if days else "overdue since today began"
            days = working_days_between(today, self.due_date, self.nation)
            return "due today" if days == 0 else f"due in {plural(days, 'working day')}"
        delta = self.due - now
        return f"due in {duration(delta)}" if delta.total_seconds() > 0 else f"overdue by {duration(-delta)}"

    def when(self) -> str:
        if self.due_date is not None:
            return "end of " + self.due_date.strftime("%A %-d %B %Y")
        return timezone.localtime(self.due).strftime("%-d %B %Y, %H:%M")


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return plural(days, "day") + (f" {plural(hours, 'hour')}" if hours else "")
    if hours:
        return plural(hours, "hour") + (f" {plural(minutes, 'minute')}" if minutes else "")
    return plural(max(minutes, 1), "minute")


def working_due(key: str, label: str, start: datetime, days: int, nation: str, basis: str) -> Due:
    day = add_working_days(local_date(start), days, nation)
    return Due(key=key, label=label, due=end_of_day(day), due_date=day, basis=basis, nation=nation)


def incident_dues(
    incident: Incident,
    timescales: EffectiveTimescales,
    *,
    last_reporter_update: datetime | None = None,
    actions: list[RemedialAction] | None = None,
    now: datetime | None = None,
) -> list[Due]:
    """The incident's deadlines, in the order a handler meets them."""
    nation = incident.organisation.nation
    open_ = incident.status in Incident.OPEN_STATUSES
    dues: list[Due] = []

    triage = working_due(
        "triage",
        "Triage",
        incident.reported_on,
        timescales.triage_days,
        nation,
        f"{plural(timescales.triage_days, 'working day')} from the report",
    )
    triage.done_on = incident.triaged_on
    if incident.triaged_on is None and not open_:
        triage.not_needed = "closed without triage"
    dues.append(triage)

    if incident.severity in URGENT and incident.triaged_on is None and open_:
        dues.append(
            Due(
                key="urgent_triage",
                label=f"Triage of a {incident.severity} incident",
                due=incident.reported_on + timedelta(hours=timescales.urgent_triage_hours),
                basis=f"{plural(timescales.urgent_triage_hours, 'hour')} from the report",
                nation=nation,
            )
        )

    outcome_days = timescales.outcome_days(incident.severity)
    if outcome_days is not None and incident.status != Incident.Status.CLOSED_NOT_INCIDENT:
        outcome = working_due(
            "outcome",
            "Outcome report",
            incident.triaged_on or incident.reported_on,
            outcome_days,
            nation,
            f"{plural(outcome_days, 'working day')} from triage for a {incident.severity} incident",
        )
        outcome.done_on = incident.outcome_submitted_on
        if outcome.done_on is None and not open_:
            outcome.not_needed = "closed"
        dues.append(outcome)

    # The same start as the breach record's clock: awareness, or the report time when the
    # reporter said personal data was involved and no awareness time is recorded yet.
    from breaches.clock import ico_deadline

    ico_due = ico_deadline(incident)
    if ico_due is not None and incident.personal_data_breach != Incident.PersonalDataBreach.NO:
        ico = Due(
            key="ico",
            label="Tell the ICO",
            due=ico_due,
            basis=f"{ICO_HOURS} clock hours from awareness",
            nation=nation,
            done_on=incident.ico_reported_on,
        )
        if incident.ico_reported_on is None and incident.ico_decision == Incident.IcoDecision.RECORD_ONLY:
            ico.not_needed = "not needed: decided unlikely to result in a risk"
        dues.append(ico)

    if open_:
        last = max(filter(None, [incident.reported_on, last_reporter_update]))
        dues.append(
            working_due(
                "reporter_update",
                "Update the reporter",
                last,
                timescales.reporter_update_days,
                nation,
                f"at least every {plural(timescales.reporter_update_days, 'working day')} while open",
            )
        )

    for action in actions or []:
        dues.append(action_due(action, timescales, nation))
    return dues


def action_due(action: RemedialAction, timescales: EffectiveTimescales, nation: str) -> Due:
    if action.due_on is not None:
        due = Due(
            key=f"action:{action.pk}",
            label=f"Remedial action: {action.title}",
            due=end_of_day(action.due_on),
            due_date=action.due_on,
            basis="due date set on the action",
            nation=nation,
        )
    else:
        due = working_due(
            f"action:{action.pk}",
            f"Remedial action: {action.title}",
            action.created_on,
            timescales.action_days,
            nation,
            f"{plural(timescales.action_days, 'working day')} from when it was raised",
        )
    due.done_on = action.completed_on if action.status == RemedialAction.Status.DONE else None
    if action.status == RemedialAction.Status.CANCELLED:
        due.not_needed = "cancelled"
    return due


def most_pressing(dues: list[Due], now: datetime | None = None) -> Due | None:
    """The open deadline that falls first (overdue ones first of all)."""
    pending = [d for d in dues if not d.is_done]
    return min(pending, key=lambda d: d.due) if pending else None
