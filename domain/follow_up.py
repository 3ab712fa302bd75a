"""Budget follow-up in the association's format (the board minutes, section 9): per cost line
the year's budget, the period's budget (the year's pro rata to the cut-off date), the utfall
for the period, the avvikelse (utfall − period budget) in kronor and per cent, and the
prognos for the whole year.

- Placement money, per municipality and in total: utfall = compensable days from the year's
  start to the cut-off × the year's rate (the budget's accrued figure at that date); prognos =
  the year's committed days of started placements (actual or planned ends) + the days in the
  year of accepted placements from their booked meeting to their planned end + the intake
  forecast, × rate. So prognos ≥ utfall.
- The program's other cost lines (coordinator, evaluation, administration) have their budget
  in the settings and their utfall entered by the coordinator per cut-off; their prognos is
  the budget, or the utfall when that is already higher.
- A year whose rate is not confirmed makes every figure preliminary.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.availability import Availability
from domain.budget_forecast import ScenarioForecast
from domain.choices import Outcome
from domain.errors import RuleViolation
from domain.indicators import Indicator
from domain.money import ZERO, Money
from domain.program import Program
from domain.requisition import Accrual
from domain.text import N_


def cut_offs(year: int) -> list[date]:
    """The usual cut-off dates: every month end (tertials, the half-year and the year end
    among them)."""
    return [date(year, month, calendar.monthrange(year, month)[1]) for month in range(1, 13)]


TERTIALS = ((4, 30), (8, 31), (12, 31))


def year_share(to: date) -> Decimal:
    """How much of its year lies up to and including `to`, by months: 30 June is 6/12, 30
    April 4/12; a day inside a month counts its part of that month."""
    days_in_month = calendar.monthrange(to.year, to.month)[1]
    return (Decimal(to.month - 1) + Decimal(to.day) / Decimal(days_in_month)) / Decimal(12)


def pro_rata(amount: Money, to: date) -> Money:
    """The year's amount pro rata to `to`, to the whole krona."""
    value = (Decimal(amount.ore) / 100 * year_share(to)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return Money.kronor(value)


def check_cut_off(program: Program, year: int, to: date) -> None:
    program.year(year)  # refuses a year outside the program
    if to.year != year:
        raise RuleViolation(
            N_("The cut-off date must be in %(year)s, the year followed up."),
            field="to",
            year=str(year),
        )


@dataclass(frozen=True)
class Line:
    """One cost line of the follow-up."""

    label: str  # a municipality's name, or a cost line's label from the settings
    budget: Money | None  # the year's budget (None: the line has none of its own)
    period_budget: Money | None
    accrued: Money  # utfall for the period
    forecast: Money  # prognos for the whole year
    entered: bool = True  # False: no utfall entered yet for an other cost line

    @property
    def deviation(self) -> Money | None:
        return None if self.period_budget is None else self.accrued - self.period_budget

    @property
    def deviation_share(self) -> Decimal | None:
        if self.period_budget is None or self.period_budget.ore == 0:
            return None
        assert self.deviation is not None
        return Decimal(self.deviation.ore) / Decimal(self.period_budget.ore)


def total(label: str, lines: list[Line], budget: Money) -> Line:
    return Line(
        label=label,
        budget=budget,
        period_budget=None,
        accrued=sum((line.accrued for line in lines), ZERO),
        forecast=sum((line.forecast for line in lines), ZERO),
    )


@dataclass(frozen=True)
class MonthPoint:
    """The chart: each month end's accumulated budget, utfall (to the cut-off) and prognos."""

    month_end: date
    budget: Money
    accrued: Money | None  # None after the cut-off
    forecast: Money


@dataclass(frozen=True)
class FollowUp:
    year: int
    to: date
    rate: Money
    rate_confirmed: bool
    municipalities: tuple[Line, ...]
    placements: Line  # all municipalities together, with the placement budget
    other_costs: tuple[Line, ...]
    months: tuple[MonthPoint, ...]
    intake_forecast_per_month: int = 0
    # The year-end forecast for each intake scenario, the default (this quarter's pace) first.
    scenarios: tuple[ScenarioForecast, ...] = ()

    @property
    def preliminary(self) -> bool:
        return not self.rate_confirmed

    @property
    def lines(self) -> tuple[Line, ...]:
        return (self.placements, *self.other_costs)

    @property
    def total(self) -> Line:
        budget = sum((line.budget or ZERO for line in self.lines), ZERO)
        return Line(
            label="",
            budget=budget,
            period_budget=pro_rata(budget, self.to),
            accrued=sum((line.accrued for line in self.lines), ZERO),
            forecast=sum((line.forecast for line in self.lines), ZERO),
        )

    @property
    def heading(self) -> Money:
        """Prognos − budget for the year: above zero heads over budget."""
        result = self.total
        assert result.budget is not None
        return result.forecast - result.budget


FORECAST_OVER = N_("The forecast for %(year)s is %(forecast)s, %(amount)s (%(share)s) over budget.")
FORECAST_UNDER = N_(
    "The forecast for %(year)s is %(forecast)s, %(amount)s (%(share)s) under budget."
)
FORECAST_EVEN = N_("The forecast for %(year)s is %(forecast)s, exactly the budget.")


def other_forecast(budget: Money, accrued: Money) -> Money:
    return accrued if accrued > budget else budget


@dataclass(frozen=True)
class IndicatorRow:
    """One municipality's (or everyone's) goal indicators for a period, with the counts."""

    label: str
    municipality_id: int | None
    indicators: tuple[Indicator, ...]
    outcomes: dict[Outcome, int]
    mean_days_to_answer: Decimal | None
    answers: int
    mean_days_to_meeting: Decimal | None
    meetings: int
    new: int
    active: int
    ended: int


@dataclass(frozen=True)
class SteeringReport:
    first: date
    last: date
    indicators: tuple[IndicatorRow, ...]  # per municipality, then the total
    follow_up: FollowUp  # the year to the period's end (or today)
    accruals: tuple[Accrual, ...]
    waiting_for_attestation: int
    places: Availability

    @property
    def total(self) -> IndicatorRow:
        return self.indicators[-1]
