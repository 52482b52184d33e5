"""What is overdue, and which ICO clocks run, as database conditions on the stored deadlines.

The dashboard counts with these, the monitoring log flags and filters with them (and so its
CSV and XLSX), the ICO clocks page lists with them; the scan chases the same rows. Nothing
here works a deadline out: `compute.py` does, once, and `store.py` keeps the rows.
"""

from datetime import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Q

from core.database import AmongFew

from .models import OUTSIDE_KINDS, Deadline, overdue_q

Kind = Deadline.Kind

FLAGS = ("triage", "investigation", "action", "ico", "others")
FLAG_LABELS = {
    "triage": "Triage overdue",
    "investigation": "Investigation overdue",
    "action": "Action overdue",
    "ico": "ICO clock overdue",
    "others": "Telling others overdue",
}
FLAG_KINDS: dict[str, str | tuple[str, ...]] = {
    "triage": Kind.TRIAGE,
    "investigation": Kind.OUTCOME,
    "action": Kind.ACTION,
    "ico": Kind.ICO,
    "others": OUTSIDE_KINDS,  # the controller and outside bodies (parties)
}


def overdue_rows(kind: str | tuple[str, ...], now: datetime) -> Q:
    """On Deadline: open deadlines of `kind` (or of any of several) whose moment has come."""
    return (Q(kind__in=kind) if isinstance(kind, tuple) else Q(kind=kind)) & overdue_q(now)


def flag_condition(flag: str, now: datetime) -> Q:
    """On Incident: the incident has an overdue deadline of the flag's kind (see FLAGS)."""
    if flag not in FLAG_KINDS:
        raise ValueError(flag)
    # An IN over one subquery, worked out by the database, rather than a lookup per incident.
    return Q(pk__in=Deadline.objects.filter(overdue_rows(FLAG_KINDS[flag], now)).values("incident_id"))


def flag_exists(flag: str, now: datetime) -> Exists:
    """`flag_condition` as a column of every row (the log and its exports). PostgreSQL answers
    each as a hashed set of the few incidents with such an overdue deadline, built once through
    the open deadlines' index, then one look-up a row. (An IN over the whole subquery as a column
    is, on PostgreSQL past a few hundred thousand deadlines, a scan of that subquery for every
    row. One probe a row for all five flags, the kinds of an incident's overdue deadlines joined,
    was tried: quicker where many incidents are open, slower for a county's real log, where few
    are: a trust's 40,197 rows 25,700 -> 13,100 a second.)"""
    if flag not in FLAG_KINDS:
        raise ValueError(flag)
    return Exists(Deadline.objects.filter(overdue_rows(FLAG_KINDS[flag], now), incident=OuterRef("pk")))


def ico_clock_running() -> Q:
    """On Incident: its ICO clock runs (open: not reported, not stopped), overdue or not."""
    return Q(pk__in=Deadline.objects.open().filter(kind=Kind.ICO).values("incident_id"))


def may_count(flags: tuple[str, ...] = FLAGS, within: Any = None) -> Q:
    """On Incident: it has an open deadline of one of the flags' kinds (or an ICO clock). Every
    incident `flag_condition(flag, now)` or `ico_clock_running()` finds is among these, so a count
    of flags can read these few rows (found through the open deadlines) rather than every incident.
    `within`: the organisations counted (ids), so a school's count looks up its own few, not the
    county's (a deadline's organisation is its incident's: `store.py` keeps it so)."""
    kinds: list[str] = [Kind.ICO]
    for flag in flags:
        kind = FLAG_KINDS[flag]
        kinds.extend(kind if isinstance(kind, tuple) else (kind,))
    deadlines = Deadline.objects.open().filter(kind__in=sorted(set(kinds)))
    if within is not None:
        deadlines = deadlines.filter(organisation__in=within)
    # Few: looked up by id (`AmongFew`), never a scan of the incidents for them.
    return Q(AmongFew(F("pk"), deadlines.values("incident_id")))


def ico_overdue(now: datetime) -> Q:
    return flag_condition("ico", now)


def actions_overdue(now: datetime) -> Q:
    """On RemedialAction: its deadline is open and its moment has come."""
    return Q(deadline__kind=Kind.ACTION) & overdue_q(now, "deadline__")
