"""Compensable days: which days the municipality is paid for, counted in O(1).

The day rule is `weekdays` (Monday–Friday except Swedish public holidays, from the
`holidays` package) or `calendar`. A prefix count over the program period answers "how many
compensable days from A to B" with two look-ups; the same rows are stored in the database so
that yearly totals are summed there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from holidays.countries.sweden import Sweden

from domain.program import DayRule, Program


@dataclass(frozen=True)
class DayIndexRow:
    """One day of the index: compensable days in the period before it, and through it."""

    day: date
    before: int
    through: int


class CompensableDays:
    def __init__(self, rule: DayRule, first: date, last: date) -> None:
        self.rule = rule
        self.first = first
        self.last = last
        public = Sweden(
            years=range(first.year, last.year + 1), include_sundays=False, language="sv"
        )
        self.holidays: dict[date, str] = dict(public.items())
        self._through: list[int] = []
        count = 0
        for offset in range((last - first).days + 1):
            count += self.is_compensable(first + timedelta(days=offset))
            self._through.append(count)

    @classmethod
    def for_program(cls, program: Program) -> CompensableDays:
        return cls(program.day_rule, program.start, program.end)

    def is_compensable(self, day: date) -> bool:
        if self.rule is DayRule.CALENDAR:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def count(self, first: date, last: date) -> int:
        """Compensable days from `first` to `last`, both inclusive, within the period."""
        first, last = max(first, self.first), min(last, self.last)
        if first > last:
            return 0
        high = self._through[(last - self.first).days]
        low_index = (first - self.first).days - 1
        return high - (self._through[low_index] if low_index >= 0 else 0)

    def rows(self) -> Iterator[DayIndexRow]:
        """The index as stored in the database (one row per day of the period)."""
        before = 0
        for offset, through in enumerate(self._through):
            yield DayIndexRow(self.first + timedelta(days=offset), before, through)
            before = through


@lru_cache(maxsize=8)
def working_days(first_year: int, last_year: int) -> CompensableDays:
    """Swedish working days (Monday–Friday except public holidays), whatever the program's
    day rule: what the digest's "working days" mean."""
    return CompensableDays(DayRule.WEEKDAYS, date(first_year, 1, 1), date(last_year, 12, 31))


def is_working_day(day: date) -> bool:
    return working_days(day.year, day.year).is_compensable(day)


def working_days_between(earlier: date, later: date) -> int:
    """Working days after `earlier` up to and including `later` (0 on the same day)."""
    if later <= earlier:
        return 0
    return working_days(earlier.year, later.year).count(earlier + timedelta(days=1), later)


def add_working_days(day: date, count: int) -> date:
    """The date `count` working days after `day`."""
    while count > 0:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day
