"""Compensable days: Monday–Friday except Swedish public holidays, or every day."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import CompensableDays
from domain.program import DayRule

PERIOD = (date(2026, 1, 1), date(2028, 12, 31))
WEEKDAYS = CompensableDays(DayRule.WEEKDAYS, *PERIOD)


def test_2027_has_256_compensable_weekdays():
    # 261 weekdays, less New Year, Epiphany, Good Friday, Easter Monday and Ascension Day.
    assert WEEKDAYS.count(date(2027, 1, 1), date(2027, 12, 31)) == 256


def test_easter_week_2027_loses_good_friday_and_easter_monday():
    assert WEEKDAYS.count(date(2027, 3, 22), date(2027, 3, 31)) == 6


def test_both_ends_are_inclusive():
    monday = date(2026, 11, 23)
    assert WEEKDAYS.count(monday, monday) == 1
    assert WEEKDAYS.count(monday, monday + timedelta(days=4)) == 5
    assert WEEKDAYS.count(monday + timedelta(days=5), monday + timedelta(days=6)) == 0


def test_days_outside_the_program_are_not_compensated():
    assert (
        WEEKDAYS.count(date(2025, 12, 1), date(2026, 1, 9)) == 5
    )  # 2, 5, 7, 8, 9 January: Epiphany off
    assert WEEKDAYS.count(date(2029, 1, 1), date(2029, 2, 1)) == 0
    assert WEEKDAYS.count(date(2026, 5, 1), date(2026, 4, 1)) == 0


def test_calendar_rule_counts_every_day():
    every_day = CompensableDays(DayRule.CALENDAR, *PERIOD)
    assert every_day.count(date(2027, 1, 1), date(2027, 12, 31)) == 365
    assert every_day.count(date(2028, 1, 1), date(2028, 12, 31)) == 366


@given(
    st.dates(min_value=date(2025, 11, 1), max_value=date(2029, 2, 1)),
    st.integers(min_value=-5, max_value=500),
)
def test_prefix_count_equals_counting_day_by_day(first, length):
    last = first + timedelta(days=length)
    expected = sum(
        1
        for n in range(length + 1)
        if PERIOD[0] <= (d := first + timedelta(days=n)) <= PERIOD[1]
        and d.weekday() < 5
        and d not in WEEKDAYS.holidays
    )
    assert WEEKDAYS.count(first, last) == expected


def test_index_rows_count_before_and_through_each_day():
    rows = list(WEEKDAYS.rows())
    assert rows[0].day == PERIOD[0] and rows[-1].day == PERIOD[1]
    new_year = rows[0]  # a holiday: not compensable
    assert (new_year.before, new_year.through) == (0, 0)
    assert (rows[1].before, rows[1].through) == (0, 1)  # Friday 2 January 2026
