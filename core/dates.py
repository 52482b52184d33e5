"""The one rule for dates people type: they must fall in a plausible range.

A date far outside it is a typing slip (9999 for 2025) or an attack, and either would
reach the deadline arithmetic, the month filters and the PDFs, which cannot represent
it: an awareness date of 9999-12-31 once made the incident list fail for everyone in
scope. So every form field and every query-string date goes through here and gets a
clear form error instead (docs/decisions/0020-plausible-dates.md).

The range runs from 1 January 1990 (older than any record a school or council keeps
on this service) to ten years from today (the furthest a remedial action or review
could sensibly be due).
"""

import re
from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

EARLIEST = date(1990, 1, 1)
YEARS_AHEAD = 10


def latest(today: date | None = None) -> date:
    """The last plausible day: ten years from today (28 February for a 29 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def is_plausible(value: date | datetime) -> bool:
    return EARLIEST <= _day(value) <= latest()


def message() -> str:
    return f"Enter a date between {EARLIEST:%-d %B %Y} and {latest():%-d %B %Y}"


def check_plausible(value: date | datetime | None) -> None:
    """The form validator: raises a ValidationError in plain words for an implausible date."""
    if value is not None and not is_plausible(value):
        raise ValidationError(message(), code="implausible_date")


class DateField(forms.DateField):
    """A form date that must be plausible (the only date field forms use)."""

    default_validators = [check_plausible]


class DateTimeField(forms.DateTimeField):
    """A form date and time that must be plausible (the only date-time field forms use)."""

    default_validators = [check_plausible]

    def to_python(self, value: Any) -> datetime | None:
        # Django turns a naive moment into local time; near the ends of the calendar
        # (year 1, year 9999) that conversion overflows. Such a moment is implausible.
        try:
            return super().to_python(value)
        except OverflowError:
            raise ValidationError(message(), code="implausible_date") from None


MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def parse_month(text: str) -> date:
    """'2026-03' as the first day of that month; ValidationError if it is no plausible month."""
    found = MONTH.match(text or "")
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValidationError("Enter a month as year and month, for example 2026-03", code="invalid_month")
    year, month = int(found.group(1)), int(found.group(2))
    # A month is plausible when its first day is (year 0 has no first day at all).
    if not EARLIEST.year <= year <= latest().year or date(year, month, 1) > latest():
        raise ValidationError(message(), code="implausible_date")
    return date(year, month, 1)


class MonthField(forms.CharField):
    """A month typed or linked as YYYY-MM (the dashboard's bars link to it); cleans to its first day."""

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        return parse_month(text)


def is_bounded(field: forms.Field) -> bool:
    """Whether a form field keeps its dates in the range (asked by the test that walks every form)."""
    if isinstance(field, MonthField):
        return True
    if isinstance(field, forms.DateField | forms.DateTimeField):
        return check_plausible in field.validators
    return True
