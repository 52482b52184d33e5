"""Working-day arithmetic: weekends and the bank holidays of a UK nation.

Plain Python (no Django): dates in, dates out. Bank holidays come from the maintained
`holidays` library, never a hand-written list: England and Wales share theirs, Scotland
and Northern Ireland have their own.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays

# Organisation.Nation values -> the `holidays` subdivision of GB.
SUBDIVISIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern_ireland": "NIR"}


@lru_cache(maxsize=256)
def bank_holidays(nation: str, year: int) -> frozenset[date]:
    """The bank holidays of `nation` in `year` (including days given in lieu)."""
    subdiv = SUBDIVISIONS.get(nation, "ENG")
    return frozenset(holidays.country_holidays("GB", subdiv=subdiv, years=[year]).keys())


def is_working_day(day: date, nation: str) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(nation, day.year)


def next_working_day(day: date, nation: str) -> date:
    """`day` itself if it is a working day, otherwise the first working day after it."""
    while not is_working_day(day, nation):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, days: int, nation: str) -> date:
    """The `days`-th working day after `start` (0: `start`, or the next working day).

    A report on Friday with one working day to triage is due on Monday; one on
    Saturday is due on Monday too (Monday is the first working day after it).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return next_working_day(start, nation)
    day = start
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, nation):
            remaining -= 1
    return day


def _weekdays_through(day: date) -> int:
    """Monday to Friday days from 1 January of year 1 (a Monday) up to and including `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def working_days_between(start: date, end: date, nation: str) -> int:
    """How many working days fall after `start` up to and including `end` (negative if end < start).

    Counted, not walked: weekdays by arithmetic, less the bank holidays on a weekday between.
    (Walked a day at a time, "overdue by 300 working days" on a county DPO's home page cost
    about a tenth of the page at 100,000 incidents.)
    """
    if end < start:
        return -working_days_between(end, start, nation)
    holidays_between = sum(
        1
        for year in range(start.year, end.year + 1)
        for holiday in bank_holidays(nation, year)
        if start < holiday <= end and holiday.weekday() < 5
    )
    return _weekdays_through(end) - _weekdays_through(start) - holidays_between
