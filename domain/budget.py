"""Budget follow-up of one program year: committed, accrued, remaining, full-year places.

committed = rate × compensable days of every placement in the year, from its start to its
actual end, or its planned end where it has not ended; accrued (utfall) is the same up to a
date; remaining = budget − committed; full-year places left = remaining ÷ (rate × the year's
compensable days).

The window of a program year is the year within the program; its committed and accrued days
are read from the running totals (domain.figures) at the day before the window, its last
day and the cut-off. Every report that follows a year's budget reads them here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.figures import Tally, day_before
from domain.money import Money
from domain.program import Program, ProgramYear


class _Accrued(Mapping[date, int]):
    """Each day's accrued days of running totals, read as asked."""

    def __init__(self, tally: Mapping[date, Tally]) -> None:
        self._tally = tally

    def __getitem__(self, day: date) -> int:
        return self._tally[day].accrued_days

    def __iter__(self) -> Iterator[date]:
        return iter(self._tally)

    def __len__(self) -> int:
        return len(self._tally)


@dataclass(frozen=True)
class BudgetWindow:
    """The days of a program year that its budget pays for: the calendar year, cut to the
    program's first and last day."""

    first: date
    last: date

    def days(self, *cut_offs: date) -> set[date]:
        """The days whose running totals give the window's sums up to each cut-off."""
        return {day_before(self.first), self.last} | {min(to, self.last) for to in cut_offs}

    def accrued_days(self, tally: Mapping[date, Tally], to: date) -> int:
        """Compensable days of every placement from the window's start through `to`."""
        return self.accrued_of(_Accrued(tally), to)

    def committed_days(self, tally: Mapping[date, Tally]) -> int:
        """Compensable days of every placement in the whole window, to its actual or planned
        end."""
        return self.committed_of(_Accrued(tally))

    def accrued_of(self, accrued: Mapping[date, int], to: date) -> int:
        """`accrued_days` from each day's accrued days (Tally.accrued_days) alone."""
        if to < self.first:
            return 0
        return accrued[min(to, self.last)] - accrued[day_before(self.first)]

    def committed_of(self, accrued: Mapping[date, int]) -> int:
        """`committed_days` from each day's accrued days (Tally.accrued_days) alone."""
        return accrued[self.last] - accrued[day_before(self.first)]

    def compensable_days(self, tally: Mapping[date, Tally]) -> int:
        """Compensable days of the window itself (one full-year place)."""
        return tally[self.last].through - tally[day_before(self.first)].through


def within_program(program: Program, first: date, last: date) -> BudgetWindow:
    """Days from `first` to `last`, cut to the program's first and last day: a program year
    for its budget, a requisition period for its basis."""
    return BudgetWindow(max(first, program.start), min(last, program.end))


def budget_window(program: Program, year: int) -> BudgetWindow:
    program_year = program.year(year)
    return within_program(program, program_year.first_day, program_year.last_day)


@dataclass(frozen=True)
class YearBudget:
    year: ProgramYear
    accrued_to: date
    compensable_days_in_year: int
    committed_days: int
    accrued_days: int

    @property
    def budget(self) -> Money:
        return self.year.budget

    @property
    def daily_rate(self) -> Money:
        return self.year.daily_rate

    @property
    def rate_confirmed(self) -> bool:
        return self.year.rate_confirmed

    @property
    def committed(self) -> Money:
        return self.daily_rate * self.committed_days

    @property
    def accrued(self) -> Money:
        return self.daily_rate * self.accrued_days

    @property
    def remaining(self) -> Money:
        return self.budget - self.committed

    @property
    def full_year_place_cost(self) -> Money:
        return self.daily_rate * self.compensable_days_in_year

    @property
    def full_year_places(self) -> Decimal:
        """How many full-year places the whole budget buys."""
        return _one_decimal(self.budget.ratio(self.full_year_place_cost))

    @property
    def full_year_places_left(self) -> Decimal:
        return _one_decimal(self.remaining.ratio(self.full_year_place_cost))

    @property
    def committed_share(self) -> Decimal:
        """Committed as a share of the budget, 0–1 (above 1 when overcommitted)."""
        return self.committed.ratio(self.budget)


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def year_budget(
    program: Program, year: int, accrued_to: date, tally: Mapping[date, Tally]
) -> YearBudget:
    """The year's budget from the running totals of its window's `days(accrued_to)`."""
    window = budget_window(program, year)
    return YearBudget(
        year=program.year(year),
        accrued_to=accrued_to,
        compensable_days_in_year=window.compensable_days(tally),
        committed_days=window.committed_days(tally),
        accrued_days=window.accrued_days(tally, accrued_to),
    )
