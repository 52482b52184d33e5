"""When is something overdue? One place, with simple rules, for every report.

The rules (documented in README "Management reporting"; the deadlines app will take
these over, with bank holidays and each organisation's own timescales):

- Triage: a report still waiting for triage more than 1 working day after it was reported.
- Investigation: triaged or investigating for longer than the severity's timescale,
  counted from triage: minor 20, moderate 15, major 10, critical 5 working days
  (no severity yet counts as minor).
- Action: an open remedial action past its due date.
- ICO: a personal data breach (or one not yet known) with an awareness time, no ICO
  report and no "record only" decision, more than 72 clock hours after awareness.

Working days are Monday to Friday; weekend time does not count. Every rule is a `Q`
so dashboards and the log count and flag in the database, in a fixed number of queries.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from actions.models import RemedialAction
from incidents.models import Incident

TRIAGE_WORKING_DAYS = 1
INVESTIGATION_WORKING_DAYS = {
    Incident.Severity.MINOR: 20,
    Incident.Severity.MODERATE: 15,
    Incident.Severity.MAJOR: 10,
    Incident.Severity.CRITICAL: 5,
}
ICO_HOURS = 72
INVESTIGATION_STATUSES = (Incident.Status.TRIAGED, Incident.Status.INVESTIGATING)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def working_cutoff(now: datetime, working_days: int) -> datetime:
    """The moment `working_days` of weekday time before `now`: anything started earlier is late."""
    local = timezone.localtime(now)
    remaining = timedelta(days=working_days)
    day = local.date()
    end = local
    while True:
        if day.weekday() < 5:
            available = end - _midnight(day)
            if available >= remaining:
                return end - remaining
            remaining -= available
        end = _midnight(day)
        day -= timedelta(days=1)


def ico_clock_running() -> Q:
    return (
        Q(aware_on__isnull=False, ico_reported_on__isnull=True, status__in=Incident.OPEN_STATUSES)
        & ~Q(personal_data_breach=Incident.PersonalDataBreach.NO)
        & ~Q(ico_decision=Incident.IcoDecision.RECORD_ONLY)
    )


def ico_overdue(now: datetime) -> Q:
    return ico_clock_running() & Q(aware_on__lt=now - timedelta(hours=ICO_HOURS))


def triage_overdue(now: datetime) -> Q:
    return Q(status=Incident.Status.REPORTED, reported_on__lt=working_cutoff(now, TRIAGE_WORKING_DAYS))


def investigation_overdue(now: datetime) -> Q:
    condition = Q()
    for severity, days in INVESTIGATION_WORKING_DAYS.items():
        severities = [severity, ""] if severity == Incident.Severity.MINOR else [severity]
        condition |= Q(severity__in=severities, triaged_on__lt=working_cutoff(now, days))
    return Q(status__in=INVESTIGATION_STATUSES) & condition


def actions_overdue(today: date) -> Q:
    """On RemedialAction: open and past its due date."""
    return Q(status=RemedialAction.Status.OPEN, due_on__lt=today)


def incident_has_overdue_action(today: date) -> Q:
    """On Incident: one of its remedial actions is overdue."""
    # An IN over one subquery, worked out once, rather than a lookup per incident.
    return Q(pk__in=RemedialAction.objects.filter(actions_overdue(today), incident__isnull=False).values("incident_id"))


FLAGS = ("triage", "investigation", "action", "ico")
FLAG_LABELS = {
    "triage": "Triage overdue",
    "investigation": "Investigation overdue",
    "action": "Action overdue",
    "ico": "ICO clock overdue",
}


def flag_condition(flag: str, now: datetime) -> Q:
    """The condition on Incident for one overdue flag (see FLAGS)."""
    if flag == "triage":
        return triage_overdue(now)
    if flag == "investigation":
        return investigation_overdue(now)
    if flag == "action":
        return incident_has_overdue_action(timezone.localdate(now))
    if flag == "ico":
        return ico_overdue(now)
    raise ValueError(flag)
