"""Working days: weekends and each nation's bank holidays, from the `holidays` library."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from deadlines.workingdays import add_working_days, is_working_day, next_working_day, working_days_between

NATIONS = st.sampled_from(["england", "wales", "scotland", "northern_ireland"])
DATES = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))
DAYS = st.integers(min_value=0, max_value=60)
# The first use of a year loads its holidays from the library; no timing is asserted.
relaxed = settings(deadline=None)


@relaxed
@given(DATES, DAYS, NATIONS)
def test_result_is_never_a_weekend_or_bank_holiday(start: date, days: int, nation: str) -> None:
    result = add_working_days(start, days, nation)
    assert result.weekday() < 5
    assert is_working_day(result, nation)


@relaxed
@given(DATES, DAYS, NATIONS)
def test_exactly_that_many_working_days_are_added(start: date, days: int, nation: str) -> None:
    result = add_working_days(start, days, nation)
    if days:
        assert working_days_between(start, result, nation) == days
        assert result > start
    else:
        assert result == next_working_day(start, nation) >= start


@relaxed
@given(DATES, DATES, DAYS, NATIONS)
def test_a_later_start_never_gives_an_earlier_due_date(a: date, b: date, days: int, nation: str) -> None:
    early, late = sorted([a, b])
    assert add_working_days(early, days, nation) <= add_working_days(late, days, nation)


@relaxed
@given(DATES, DAYS, DAYS, NATIONS)
def test_more_days_never_gives_an_earlier_due_date(start: date, a: int, b: int, nation: str) -> None:
    fewer, more = sorted([a, b])
    assert add_working_days(start, fewer, nation) <= add_working_days(start, more, nation)


@relaxed
@given(DATES, DATES, NATIONS)
def test_working_days_between_is_antisymmetric(a: date, b: date, nation: str) -> None:
    assert working_days_between(a, b, nation) == -working_days_between(b, a, nation)


def test_easter_monday_is_a_holiday_in_england_but_not_scotland() -> None:
    # Maundy Thursday 2 April 2026; Good Friday 3 April; Easter Monday 6 April.
    thursday = date(2026, 4, 2)
    assert add_working_days(thursday, 1, "england") == date(2026, 4, 7)
    assert add_working_days(thursday, 1, "wales") == date(2026, 4, 7)
    assert add_working_days(thursday, 1, "scotland") == date(2026, 4, 6)
    assert add_working_days(thursday, 1, "northern_ireland") == date(2026, 4, 7)


def test_each_nation_has_its_own_holidays() -> None:
    assert not is_working_day(date(2026, 1, 2), "scotland") and is_working_day(date(2026, 1, 2), "england")
    assert not is_working_day(date(2026, 3, 17), "northern_ireland") and is_working_day(date(2026, 3, 17), "england")
    assert not is_working_day(date(2026, 11, 30), "scotland") and is_working_day(date(2026, 11, 30), "wales")
    assert not is_working_day(date(2026, 7, 13), "northern_ireland")


def test_christmas_with_days_in_lieu() -> None:
    # 26 December 2026 is a Saturday: Monday 28th is the day in lieu.
    assert add_working_days(date(2026, 12, 24), 1, "england") == date(2026, 12, 29)
    assert add_working_days(date(2026, 12, 24), 1, "england") - date(2026, 12, 24) == timedelta(days=5)


def test_a_report_at_the_weekend_counts_from_monday() -> None:
    saturday = date(2026, 3, 7)
    assert add_working_days(saturday, 1, "england") == date(2026, 3, 9)
    assert add_working_days(saturday, 0, "england") == date(2026, 3, 9)


@given(
    st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=0, max_value=1500),
    st.sampled_from(["england", "wales", "scotland", "northern_ireland"]),
)
@settings(max_examples=200, deadline=None)
def test_working_days_between_counts_what_a_walk_day_by_day_counts(start: date, span: int, nation: str) -> None:
    end = start + timedelta(days=span)
    walked = sum(1 for n in range(1, span + 1) if is_working_day(start + timedelta(days=n), nation))
    assert working_days_between(start, end, nation) == walked
