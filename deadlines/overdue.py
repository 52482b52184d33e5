"""What is overdue, and which ICO clocks run, as database conditions on the stored deadlines.

The dashboard counts with these, the monitoring log flags and filters with them (and so its
CSV and XLSX), the ICO clocks page lists with them; the scan chases the same rows. Nothing
here works a deadline out: `compute.py` does, once, and `store.py` keeps the rows.
"""

from datetime import datetime

from django.db.models import F, OuterRef, Q, StringAgg, Subquery, Value

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


def flags_column(now: datetime) -> Subquery:
    """Every flag of a row (the log and its exports) in one probe of the incident's own deadlines:
    the kinds of its overdue ones, joined by commas, or None; `flags_of` reads them. Five EXISTS,
    one a flag, made PostgreSQL read each incident's deadlines five times: at a million rows that
    was a third of a CSV export's time. (An IN over the whole subquery as a column is, on
    PostgreSQL past a few hundred thousand deadlines, a scan of that subquery for every row.)"""
    kinds = sorted({kind for flag in FLAGS for kind in _kinds(flag)})
    return Subquery(
        Deadline.objects.filter(overdue_rows(tuple(kinds), now), incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(kinds=StringAgg("kind", delimiter=Value(",")))
        .values("kinds")
    )


def flags_of(kinds: str | None) -> dict[str, bool]:
    """The flags (FLAGS, each True or False) of a row's `flags_column`."""
    found = set(kinds.split(",")) if kinds else set()
    return {flag: not found.isdisjoint(_kinds(flag)) for flag in FLAGS}


def _kinds(flag: str) -> tuple[str, ...]:
    kind = FLAG_KINDS[flag]
    return kind if isinstance(kind, tuple) else (kind,)


def ico_clock_running() -> Q:
    """On Incident: its ICO clock runs (open: not reported, not stopped), overdue or not."""
    return Q(pk__in=Deadline.objects.open().filter(kind=Kind.ICO).values("incident_id"))


def may_count(flags: tuple[str, ...] = FLAGS) -> Q:
    """On Incident: it has an open deadline of one of the flags' kinds (or an ICO clock). Every
    incident `flag_condition(flag, now)` or `ico_clock_running()` finds is among these, so a count
    of flags can read these few rows (found through the open deadlines) rather than every incident."""
    kinds: list[str] = [Kind.ICO]
    for flag in flags:
        kinds.extend(_kinds(flag))
    # Few: looked up by id (`AmongFew`), never a scan of the incidents for them.
    return Q(AmongFew(F("pk"), Deadline.objects.open().filter(kind__in=sorted(set(kinds))).values("incident_id")))


def ico_overdue(now: datetime) -> Q:
    return flag_condition("ico", now)


def actions_overdue(now: datetime) -> Q:
    """On RemedialAction: its deadline is open and its moment has come."""
    return Q(deadline__kind=Kind.ACTION) & overdue_q(now, "deadline__")
