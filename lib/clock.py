"""The one path for the times of anonymous reports: what is stored, and how it is shown.

An exact time can tell who made an anonymous report (who was on duty, who had just signed
in). So an anonymous report, and everything its arrival writes, is stored at its
organisation's time precision (`coarse`, applied at write time through `frozen_at`), and
every page, export, PDF and email that shows a time about it formats it here, at the same
precision, whichever app draws it:

    clock.now()                              what every write stamps (frozen inside `frozen_at`)
    clock.precision_of(incident)             DAY or EXACT (EXACT for every named report)
    clock.show(value, precision)             "4 Dec 2026" or "4 Dec 2026, 22:12"
    clock.iso(value, precision)              for <time datetime="...">
    clock.export(value, precision)           "2026-12-04" or "2026-12-04 22:12" (CSV, XLSX)
    clock.age(since, precision, now)         "today", "2 days" or "2 days, 3 hours"

The organisation's choice lives with its public report page (the anonymous app, which
registers `set_precision_source` when it starts); this module knows nothing of incidents
beyond two attributes (`reporter_anonymous`, `organisation_id`).
"""

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dates import MONTHS, MONTHS_3


class Precision(StrEnum):
    DAY = "day"
    EXACT = "exact"


DISPLAY = {Precision.DAY: "j M Y", Precision.EXACT: "j M Y, H:i"}
DISPLAY_LONG = {Precision.DAY: "j F Y", Precision.EXACT: "j F Y, H:i"}
EXPORT = {Precision.DAY: "%Y-%m-%d", Precision.EXACT: "%Y-%m-%d %H:%M"}

_frozen: ContextVar[datetime | None] = ContextVar("clock_frozen", default=None)
_precision_source: Callable[[int], Precision] | None = None
_exact_organisations_source: Callable[[], Collection[int]] | None = None


def now() -> datetime:
    """The time to stamp on what is written now: `timezone.now()` unless frozen by `frozen_at`."""
    return _frozen.get() or timezone.now()


@contextmanager
def frozen_at(moment: datetime | None) -> Iterator[None]:
    """Every `now()` inside returns `moment` (None: the real time)."""
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)


def frozen() -> datetime | None:
    """The stamp set by `frozen_at`, or None when the clock runs."""
    return _frozen.get()


def enqueue(task: Any, *args: Any, run_after: datetime | None = None) -> Any:
    """Queue a background job; inside `frozen_at`, its stored row keeps the frozen stamp.

    django-tasks-db stamps `enqueued_at` itself (auto_now_add), so the row is corrected
    after it is written. `run_after` is when the job may run, and is kept as given.
    """
    from django_tasks_db.models import DBTaskResult

    result = (task.using(run_after=run_after) if run_after is not None else task).enqueue(*args)
    stamp = _frozen.get()
    if stamp is not None:
        DBTaskResult.objects.filter(id=result.id).update(enqueued_at=stamp)
    return result


def coarse(value: datetime, precision: Precision) -> datetime:
    """`value` cut to `precision`: DAY gives the start of its local day (aware)."""
    if precision == Precision.EXACT:
        return value
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    start = datetime.combine(local.date(), time.min)
    return timezone.make_aware(start) if timezone.is_aware(value) else start


def cut(value: datetime | None, precision: Precision) -> datetime | date | None:
    """For a table or a spreadsheet cell: at DAY precision the local date alone."""
    if value is None or precision == Precision.EXACT:
        return value
    return _local(value).date()


def set_precision_source(
    source: Callable[[int], Precision], exact_organisations: Callable[[], Collection[int]] | None = None
) -> None:
    """Register where an organisation's precision for anonymous reports is read (its id in),
    and where every organisation that chose EXACT is read at once (for `organisation_precisions`)."""
    global _precision_source, _exact_organisations_source
    _precision_source = source
    _exact_organisations_source = exact_organisations


def organisation_precision(organisation_id: int) -> Precision:
    # No source registered (a script without the anonymous app): the safe choice.
    return _precision_source(organisation_id) if _precision_source is not None else Precision.DAY


def organisation_precisions() -> Callable[[int], Precision]:
    """`organisation_precision` for any number of organisations at the cost of one question (an
    export whose rows span every school of a county), or one per organisation asked without a
    source of them all."""
    if _exact_organisations_source is None:
        known: dict[int, Precision] = {}

        def each(organisation_id: int) -> Precision:
            if organisation_id not in known:
                known[organisation_id] = organisation_precision(organisation_id)
            return known[organisation_id]

        return each
    exact = frozenset(_exact_organisations_source())
    return lambda organisation_id: Precision.EXACT if organisation_id in exact else Precision.DAY


def precision_of(incident: Any) -> Precision:
    """The precision of every time about `incident`: EXACT unless it was reported anonymously.

    Works on an incident or any object (a row of the log) with `reporter_anonymous` and
    `organisation_id`; the answer is kept on the object, so a page asks the database once.
    """
    if incident is None or not getattr(incident, "reporter_anonymous", False):
        return Precision.EXACT
    cached = getattr(incident, "_clock_precision", None)
    if cached is None:
        cached = organisation_precision(incident.organisation_id)
        with suppress(AttributeError):  # an object that takes no attributes asks again next time
            incident._clock_precision = cached
    return Precision(cached)


def remember_precisions(objects: Any) -> None:
    """Work out `precision_of` for many objects at once: no question when none was reported
    anonymously, otherwise one (`organisation_precisions`), however many organisations."""
    anonymous = [
        obj
        for obj in objects
        if getattr(obj, "reporter_anonymous", False) and getattr(obj, "_clock_precision", None) is None
    ]
    if not anonymous:
        return
    precision = organisation_precisions()
    for obj in anonymous:
        obj._clock_precision = precision(obj.organisation_id)


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def show(value: Any, precision: Precision, *, long: bool = False) -> str:
    """A time for people to read; a date or anything else is shown as it is."""
    if isinstance(value, datetime):
        return _shown(_local(value), precision, long)
    if isinstance(value, date):
        return date_format(value, "j F Y" if long else "j M Y")
    return "" if value is None else str(value)


def _shown(local: datetime, precision: Precision, long: bool) -> str:
    """DISPLAY's (or DISPLAY_LONG's) format written directly, as Django's `dateformat` writes
    "j", "M", "F", "Y", "H" and "i": a list shows a time a row, and each through `dateformat`
    cost about 60 microseconds. `tests/test_clock_display.py` holds the two to the same text."""
    month = str(MONTHS[local.month]) if long else str(MONTHS_3[local.month]).title()
    day = f"{local.day} {month} {local.year:04d}"
    return day if precision == Precision.DAY else f"{day}, {local.hour:02d}:{local.minute:02d}"


def iso(value: Any, precision: Precision) -> str:
    """For a `<time datetime="...">` attribute: the date alone at DAY precision."""
    if not isinstance(value, datetime):
        return value.isoformat() if isinstance(value, date) else ""
    local = _local(value)
    return local.date().isoformat() if precision == Precision.DAY else local.isoformat()


def export(value: Any, precision: Precision) -> str:
    """A time in a CSV or spreadsheet cell."""
    if isinstance(value, datetime):
        local = _local(value)
        # EXPORT's formats, written by isoformat: several times faster than strftime, and an
        # export of a million rows writes nine times a row.
        return local.date().isoformat() if precision == Precision.DAY else local.isoformat(" ", "minutes")[:16]
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def age(since: datetime, precision: Precision, at: datetime | None = None) -> str:
    """How long ago `since` was: whole days at DAY precision ("today", "3 days")."""
    at = at or timezone.now()
    if precision == Precision.DAY:
        days = (_local(at).date() - _local(since).date()).days
        return "today" if days <= 0 else plural(days, "day")
    delta = at - since
    days, hours = delta.days, delta.seconds // 3600
    if days:
        return f"{plural(days, 'day')}, {plural(hours, 'hour')}"
    return plural(hours, "hour")
