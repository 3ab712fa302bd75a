"""Budget follow-up of one program year: committed, accrued, remaining, full-year places.

committed = rate × compensable days of every placement in the year, from its start to its
actual end, or its planned end where it has not ended; accrued (utfall) is the same up to a
date; remaining = budget − committed; full-year places left = remaining ÷ (rate × the year's
compensable days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.money import Money
from domain.program import ProgramYear


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
