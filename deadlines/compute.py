"""The rule: every due moment of an incident and of a remedial action, from its facts and the
organisation's timescales. The only place the product works a deadline out; `store.py` keeps
the result in `Deadline` rows and every page, export and scan reads those.

Working-day deadlines are dates: "due by the end of Monday 2 March" in the UK's local
time, so a clock change never moves them. The ICO clock counts clock hours from
awareness, so across a clock change 72 hours is still 72 hours.

Each deadline is open (due, or overdue once `now >= due`), met (`done_on`) or stopped
(`stopped`: why it no longer runs, e.g. the incident closed or the DPO decided the ICO need
not be told). A deadline is open only while the incident is in the state the deadline
chases, so "overdue" means the same to the dashboard, the log and the scan.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from actions.models import RemedialAction
from incidents.models import Incident

from .models import ICO_HOURS, Deadline, DueWords, EffectiveTimescales
from .workingdays import add_working_days

URGENT = Incident.SERIOUS_SEVERITIES  # a serious report is triaged urgently
Kind = Deadline.Kind
Stopped = Deadline.Stopped


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def end_of_day(day: date) -> datetime:
    """The moment `day` ends in local time (the first instant of the next day)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=local_tz())


def local_date(moment: datetime) -> date:
    return moment.astimezone(local_tz()).date()


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass
class Due(DueWords):
    """One deadline as the rule works it out (what `Deadline` stores)."""

    key: str  # the kind, or "action:<id>"
    label: str
    due: datetime  # the moment it becomes overdue
    basis: str  # how it was worked out, in plain words
    nation: str
    starts: datetime | None = None  # the moment it is counted from
    due_date: date | None = None  # set for working-day deadlines
    done_on: datetime | None = None
    stopped: str = ""  # a Deadline.Stopped value

    @property
    def kind(self) -> str:
        return Kind.ACTION if self.key.startswith("action:") else self.key

    @property
    def due_at(self) -> datetime:
        return self.due

    @property
    def met_at(self) -> datetime | None:
        return self.done_on


def working_due(key: str, label: str, start: datetime, days: int, nation: str, basis: str) -> Due:
    day = add_working_days(local_date(start), days, nation)
    return Due(key=key, label=label, due=end_of_day(day), due_date=day, basis=basis, nation=nation, starts=start)


def awareness(incident: Any) -> datetime | None:
    """When the ICO clock starts: the awareness time set at triage, else the report time when the
    reporter said personal data was involved (the cautious default), else not started."""
    if incident.aware_on is not None:
        return incident.aware_on
    if incident.personal_data == Incident.YesNoNotSure.YES and incident.personal_data_breach != "no":
        return incident.reported_on
    return None


def outcome_days(timescales: EffectiveTimescales, severity: str) -> int:
    """No severity yet counts as minor: a triaged incident is always on a timescale."""
    return timescales.outcome_days(severity or Incident.Severity.MINOR) or timescales.outcome_minor_days


def incident_dues(
    incident: Any,
    timescales: EffectiveTimescales,
    *,
    nation: str | None = None,
    last_reporter_update: datetime | None = None,
    actions: list[Any] | None = None,
) -> list[Due]:
    """The incident's deadlines, in the order a handler meets them."""
    S = Incident.Status
    nation = nation or incident.organisation.nation
    open_ = incident.status in Incident.OPEN_STATUSES
    dues: list[Due] = []

    triage = working_due(
        Kind.TRIAGE,
        "Triage",
        incident.reported_on,
        timescales.triage_days,
        nation,
        f"{plural(timescales.triage_days, 'working day')} from the report",
    )
    triage.done_on = incident.triaged_on
    if incident.triaged_on is None and incident.status != S.REPORTED:
        triage.stopped = Stopped.CLOSED if not open_ else Stopped.MOVED_ON
    dues.append(triage)

    if incident.severity in URGENT and incident.triaged_on is None and incident.status == S.REPORTED:
        dues.append(
            Due(
                key=Kind.URGENT_TRIAGE,
                label=f"Triage of a {incident.severity} incident",
                due=incident.reported_on + timedelta(hours=timescales.urgent_triage_hours),
                basis=f"{plural(timescales.urgent_triage_hours, 'hour')} from the report",
                nation=nation,
                starts=incident.reported_on,
            )
        )

    if incident.status not in (S.REPORTED, S.CLOSED_NOT_INCIDENT):
        days = outcome_days(timescales, incident.severity)
        outcome = working_due(
            Kind.OUTCOME,
            "Outcome report",
            incident.triaged_on or incident.reported_on,
            days,
            nation,
            f"{plural(days, 'working day')} from triage for a {incident.severity or 'minor'} incident",
        )
        outcome.done_on = incident.outcome_submitted_on
        if outcome.done_on is None and incident.status not in (S.TRIAGED, S.INVESTIGATING):
            outcome.stopped = Stopped.CLOSED if not open_ else Stopped.MOVED_ON
        dues.append(outcome)

    start = awareness(incident)
    if start is not None and incident.personal_data_breach != Incident.PersonalDataBreach.NO:
        ico = Due(
            key=Kind.ICO,
            label="Tell the ICO",
            due=start + timedelta(hours=ICO_HOURS),
            basis=f"{ICO_HOURS} clock hours from awareness",
            nation=nation,
            starts=start,
            done_on=incident.ico_reported_on,
        )
        if incident.ico_reported_on is None:
            if incident.ico_decision == Incident.IcoDecision.RECORD_ONLY:
                ico.stopped = Stopped.RECORD_ONLY
            elif not open_:
                ico.stopped = Stopped.CLOSED
        dues.append(ico)

    last = max(filter(None, [incident.reported_on, last_reporter_update]))
    update = working_due(
        Kind.REPORTER_UPDATE,
        "Update the reporter",
        last,
        timescales.reporter_update_days,
        nation,
        f"at least every {plural(timescales.reporter_update_days, 'working day')} while open",
    )
    if not open_:
        update.stopped = Stopped.CLOSED
    dues.append(update)

    for action in actions or []:
        dues.append(action_due(action, timescales, nation))
    return dues


def became_aware(incident: Any) -> datetime:
    """When the organisation became aware of the incident: the awareness time set at triage,
    else when it was discovered, else when it was reported."""
    return incident.aware_on or incident.discovered_on or incident.reported_on


def outside_dues(
    incident: Any,
    *,
    link: Any = None,
    bodies: Iterable[Any] = (),
    notices: Iterable[Any] = (),
    nation: str | None = None,
) -> list[Due]:
    """The due moments of telling others (`parties`).

    - The controller, when the third party involved is another controller (the organisation
      is its processor and must tell it without undue delay): the hours agreed with it, from
      when the organisation became aware; met when "we told the controller on" is recorded.
    - Each outside body on the incident's checklist that sets its own deadline (the RPA:
      within 24 hours): clock hours from discovery (else the report); met by the first notice
      to it, stopped by "not needed" with a reason.
    Any of them stops when the incident closes unmet.
    """
    nation = nation or incident.organisation.nation
    open_ = incident.status in Incident.OPEN_STATUSES
    dues: list[Due] = []
    if link is not None and link.third_party.kind == "controller":
        start = became_aware(incident)
        hours = link.third_party.tell_within_hours
        due = Due(
            key=Kind.CONTROLLER,
            label=f"Tell the controller ({link.third_party.name})",
            due=start + timedelta(hours=hours),
            basis=f"{plural(hours, 'clock hour')} from when you became aware, as agreed with them",
            nation=nation,
            starts=start,
            done_on=link.controller_told_on,
        )
        if due.done_on is None and not open_:
            due.stopped = Stopped.CLOSED
        dues.append(due)
    notices = list(notices)
    for applies in bodies:
        if not applies.hours:
            continue
        start = incident.discovered_on or incident.reported_on
        theirs = [n for n in notices if n.body == applies.body]
        told = [n.told_on for n in theirs if n.outcome == "told" and n.told_on is not None]
        key = f"body_{applies.body}"
        due = Due(
            key=key,
            label=str(Kind(key).label),
            due=start + timedelta(hours=applies.hours),
            basis=f"{plural(applies.hours, 'clock hour')} from discovery, as the body asks",
            nation=nation,
            starts=start,
            done_on=min(told) if told else None,
        )
        if not told:
            if theirs:
                due.stopped = Stopped.NOT_NEEDED
            elif not open_:
                due.stopped = Stopped.CLOSED
        dues.append(due)
    return dues


def action_due(action: Any, timescales: EffectiveTimescales, nation: str) -> Due:
    if action.due_on is not None:
        due = Due(
            key=f"action:{action.pk}",
            label=f"Remedial action: {action.title}",
            due=end_of_day(action.due_on),
            due_date=action.due_on,
            basis="due date set on the action",
            nation=nation,
            starts=action.created_on,
        )
    else:
        due = working_due(
            f"action:{action.pk}",
            f"Remedial action: {action.title}",
            action.created_on or timezone.now(),
            timescales.action_days,
            nation,
            f"{plural(timescales.action_days, 'working day')} from when it was raised",
        )
    if action.status == RemedialAction.Status.DONE:
        due.done_on = action.completed_on
        if due.done_on is None:
            due.stopped = Stopped.DONE
    elif action.status == RemedialAction.Status.CANCELLED:
        due.stopped = Stopped.CANCELLED
    return due


def most_pressing(dues: list[Any]) -> Any:
    """The open deadline that falls first (overdue ones first of all)."""
    pending = [d for d in dues if d.is_open]
    return min(pending, key=lambda d: d.due_at) if pending else None
