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

import holidays

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
        public = holidays.Sweden(
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
