"""Where the placement money lands by the year's end, for a few intake scenarios side by side.

The forecast of a month end is what is committed (started placements to their planned end,
accepted ones from their booked meeting to a whole enrolment) plus the cost of the expected
new starts: `starts_per_month` on the first of every month after the forecast's first day,
each for a whole enrolment, never past the year asked about. Nobody starts from the intake stop
on, so every scenario's intake ends there.

Scenarios: this quarter's pace (the starts of the last three months up to the reference day,
a third of them a month; the default), the program file's `intake_forecast_per_month`, and a
number per month typed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from domain.money import Money

QUARTER_MONTHS = 3


class IntakeScenario(StrEnum):
    PACE = "pace"  # this quarter's pace: the default
    PROGRAM = "program"  # the program file's intake forecast
    TYPED = "typed"  # a number per month typed in


@dataclass(frozen=True)
class ScenarioMonth:
    month_end: date
    forecast: Money  # accumulated from the year's first day to the month end


@dataclass(frozen=True)
class ScenarioForecast:
    scenario: IntakeScenario
    starts_per_month: Decimal
    months: tuple[ScenarioMonth, ...]

    @property
    def year_end(self) -> Money:
        return self.months[-1].forecast


def pace_window(reference: date) -> tuple[date, date]:
    """The quarter the pace is measured over: three months up to and including `reference`."""
    return reference - relativedelta(months=QUARTER_MONTHS) + relativedelta(days=1), reference


def pace(starts_in_quarter: int) -> Decimal:
    """Starts a month at the pace of the last quarter, to one decimal."""
    return (Decimal(starts_in_quarter) / QUARTER_MONTHS).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def intake_starts(after: date, until: date, intake_stop: date | None) -> list[date]:
    """The days new participants are expected to start: the first of each month after
    `after`, up to `until`, none from the intake stop on."""
    found = []
    month = date(after.year, after.month, 1) + relativedelta(months=1)
    while month <= until and (intake_stop is None or month < intake_stop):
        found.append(month)
        month += relativedelta(months=1)
    return found


def scenario_forecast(
    scenario: IntakeScenario,
    starts_per_month: Decimal,
    *,
    committed: Sequence[tuple[date, Money]],
    rate: Money,
    first: date,
    after: date,
    intake_stop: date | None,
    enrolment_end: Callable[[date], date],
    count_days: Callable[[date, date], int],
) -> ScenarioForecast:
    """`committed`: each month end of the year with what is committed up to it; `first`: the
    year's first day (days before it are another year's); `after`: the last day whose starts
    are known (no intake is expected on or before it)."""
    months = []
    for month_end, known in committed:
        days = sum(
            count_days(max(start, first), min(enrolment_end(start), month_end))
            for start in intake_starts(after, month_end, intake_stop)
        )
        expected = Money(int((Decimal(rate.ore * days) * starts_per_month).to_integral_value()))
        months.append(ScenarioMonth(month_end, known + expected))
    return ScenarioForecast(scenario, starts_per_month, tuple(months))


def cut_off_for(year: int, today: date) -> date:
    """The cut-off of a forecast asked for without one: today in the current year, the year
    end of a past year, the first day of a coming year."""
    if year == today.year:
        return today
    return date(year, 12, 31) if year < today.year else date(year, 1, 1)
