"""The budget forecast's intake scenarios in words and as a table, the same in the follow-up
page, its XLSX, `mm follow-up`, `/mm budget` and the steering report."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from domain.budget_forecast import IntakeScenario, ScenarioForecast
from domain.follow_up import FollowUp, pro_rata
from domain.money import Money
from locales import format_number
from locales import gettext as _
from reports.sheets import Cell, Table


def scenario_name(s: ScenarioForecast) -> str:
    """The column heading: which intake, and how many starts a month it means."""
    if s.scenario is IntakeScenario.PACE:
        return _("Current pace (%(num)s starts a month)", num=s.starts_per_month)
    if s.scenario is IntakeScenario.PROGRAM:
        return _("The program's intake forecast (%(num)s starts a month)", num=s.starts_per_month)
    return _("Typed intake (%(num)s starts a month)", num=s.starts_per_month)


def scenario_line(follow: FollowUp, s: ScenarioForecast) -> str:
    """ "Med nuvarande takt (2,0 starter i månaden) används 1 712 000 kr av 1 790 000 kr 2027." """
    values = {
        "num": s.starts_per_month,
        "forecast": s.year_end,
        "budget": follow.placements.budget,
        "year": str(follow.year),
    }
    if s.scenario is IntakeScenario.PACE:
        return _(
            "At the current pace (%(num)s starts a month), %(forecast)s of %(budget)s is used "
            "in %(year)s.",
            **values,
        )
    if s.scenario is IntakeScenario.PROGRAM:
        return _(
            "With the program's intake forecast (%(num)s starts a month), %(forecast)s of "
            "%(budget)s is used in %(year)s.",
            **values,
        )
    return _(
        "With %(num)s starts a month, %(forecast)s of %(budget)s is used in %(year)s.", **values
    )


def scenario_lines(follow: FollowUp) -> list[str]:
    return [scenario_line(follow, s) for s in follow.scenarios]


def _thousands(amount: Money) -> str:
    whole = (Decimal(amount.ore) / 100_000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return format_number(whole)


def pace_line(year: int, budget: Money, at_pace: ScenarioForecast) -> str:
    """The one-line answer in chat: "Med nuvarande takt används 1 712 tkr av 1 790 tkr 2027."
    (the year's budget and its pace scenario, services.budget_follow_up.budget_at_pace)."""
    return _(
        "At the current pace %(forecast)s tkr of %(budget)s tkr is used in %(year)s.",
        forecast=_thousands(at_pace.year_end),
        budget=_thousands(budget),
        year=str(year),
    )


def scenario_table(follow: FollowUp) -> Table:
    """Month ends down, the scenarios side by side: the placement money forecast to each month
    end, beside the budget pro rata."""
    budget = follow.placements.budget or Money(0)
    rows: list[list[Cell]] = []
    for i, month in enumerate(follow.scenarios[0].months if follow.scenarios else ()):
        row: list[Cell] = [month.month_end, pro_rata(budget, month.month_end)]
        row += [s.months[i].forecast for s in follow.scenarios]
        rows.append(row)
    return Table(
        headers=[_("Month end"), _("Budget to the month end")]
        + [scenario_name(s) for s in follow.scenarios],
        rows=list(rows),
    )


def scenario_hint() -> str:
    return _(
        "The expected new starts come on the first of each month after the cut-off date, each "
        "for a whole enrolment; nobody starts from the intake stop on. The current pace is the "
        "starts of the last three months, a third of them a month."
    )
