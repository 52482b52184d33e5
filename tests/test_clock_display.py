"""`lib.clock.show` writes DISPLAY's formats itself (a list shows a time a row): the text is
Django's `dateformat` of the same format, for every month, hour and minute, in the local zone."""

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format
from hypothesis import given
from hypothesis import strategies as st

from lib import clock

moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31), timezones=st.just(UTC))


@given(moment=moments)
def test_shown_times_are_the_display_formats_as_django_writes_them(moment: datetime) -> None:
    local = timezone.localtime(moment)
    for precision in clock.Precision:
        assert clock.show(moment, precision) == date_format(local, clock.DISPLAY[precision])
        assert clock.show(moment, precision, long=True) == date_format(local, clock.DISPLAY_LONG[precision])


def test_a_summer_evening_shows_in_british_summer_time() -> None:
    evening = datetime(2026, 7, 4, 21, 5, tzinfo=UTC)
    assert clock.show(evening, clock.Precision.EXACT) == "4 Jul 2026, 22:05"
    assert clock.show(evening, clock.Precision.DAY, long=True) == "4 July 2026"
    assert clock.show(datetime(2026, 9, 30, 23, 30, tzinfo=UTC), clock.Precision.DAY) == "1 Oct 2026"
