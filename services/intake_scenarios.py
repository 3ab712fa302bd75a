"""The budget forecast's intake scenarios (domain.budget_forecast) for one year's follow-up:
the pace of the last quarter from the kept running totals (storage.figures), the program
file's forecast, and a number per month typed in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from domain import budget_forecast as rules
from domain.budget_forecast import IntakeScenario, ScenarioForecast
from domain.calendar import CompensableDays
from domain.enrolment import planned_end
from domain.figures import Tally, day_before
from domain.money import Money
from domain.program import Program


def pace_days(reference: date) -> tuple[date, date]:
    """The two days whose running totals give the starts of the pace's quarter."""
    first, last = rules.pace_window(reference)
    return day_before(first), last


def starts_per_month(
    program: Program, *, reference: date, tallies: dict[date, Tally], typed: Decimal | None
) -> list[tuple[IntakeScenario, Decimal]]:
    """Each scenario with its starts a month: the pace first (the default), then the program
    file's forecast, then the typed number if there is one. `tallies` hold the running totals
    of the `pace_days` (read with the follow-up's own, in one query)."""
    before, last = pace_days(reference)
    chosen = [
        (IntakeScenario.PACE, rules.pace(tallies[last].starts - tallies[before].starts)),
        (IntakeScenario.PROGRAM, Decimal(program.intake_forecast_per_month)),
    ]
    if typed is not None:
        chosen.append((IntakeScenario.TYPED, typed))
    return chosen


def scenarios(
    program: Program,
    chosen: Sequence[tuple[IntakeScenario, Decimal]],
    *,
    committed: Sequence[tuple[date, Money]],
    rate: Money,
    first: date,
    after: date,
    days: CompensableDays,
) -> tuple[ScenarioForecast, ...]:
    end: Callable[[date], date] = lambda start: planned_end(program, start)  # noqa: E731
    return tuple(
        rules.scenario_forecast(
            scenario,
            per_month,
            committed=committed,
            rate=rate,
            first=first,
            after=after,
            intake_stop=program.intake_stop,
            enrolment_end=end,
            count_days=days.count,
        )
        for scenario, per_month in chosen
    )
