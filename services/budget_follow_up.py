"""The budget follow-up in the association's format (domain.follow_up): utfall and prognos per
municipality and in total, the other cost lines' entered utfall, the month-end chart and the
intake scenarios.

Placement money comes from the kept running totals (storage.figures) through the budget
window of the year (domain.budget), the same window and sums as the yearly budget; only the
accepted placements not yet started are read, by booked meeting day. `actor` None is the
operator on the command line, who sees every report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from sqlalchemy.orm import Session

from domain import follow_up as rules
from domain.access import Actor, can_coordinate, check_sees_budget
from domain.budget import BudgetWindow, YearBudget, budget_window, year_budget
from domain.budget_forecast import IntakeScenario, ScenarioForecast, cut_off_for, intake_starts
from domain.calendar import CompensableDays
from domain.clock import local_date
from domain.enrolment import planned_end
from domain.errors import NotAllowed, RuleViolation
from domain.figures import Tally
from domain.follow_up import FollowUp, Line, MonthPoint, pro_rata
from domain.money import ZERO, Money
from domain.program import DayRule, Program, ProgramYear
from domain.text import N_
from domain.typed_events import CostOutcomeEntered
from services import history, intake_scenarios
from services.kept_answers import kept
from services.program_setup import current_program
from services.reports import check_sees_reports
from storage import accepted_meetings, figures, requisition_queries
from storage import follow_up_queries as queries
from storage.models import CostOutcome


@lru_cache(maxsize=4)
def _index(rule: DayRule, first: date, last: date) -> CompensableDays:
    return CompensableDays(rule, first, last)


def municipality_names(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every municipality, by name: the rows of a report."""
    return [(m.id, m.name) for m in requisition_queries.municipalities(session)]


@dataclass(frozen=True)
class _Forecast:
    """What the prognos adds to the kept totals: the accepted placements not yet started, by
    booked meeting day (each day's planned end worked out once), and the expected intake."""

    program: Program
    window: BudgetWindow
    after: date  # the expected new starts come after this day
    per_municipality: list[tuple[int, date, int]]  # municipality, meeting, count
    per_day: list[tuple[date, date, int]]  # meeting, end, count (all municipalities)

    @property
    def days(self) -> CompensableDays:
        return _index(self.program.day_rule, self.program.start, self.program.end)

    def accepted_days(self) -> dict[int, int]:
        """Compensable days in the window of the accepted placements, from their booked
        meeting to their planned end, per municipality (each meeting day counted once)."""
        first, last = self.window.first, self.window.last
        of_day = {
            meeting: self.days.count(max(meeting, first), min(end, last))
            for meeting, end, _count in self.per_day
        }
        found: dict[int, int] = defaultdict(int)
        for municipality_id, meeting, count in self.per_municipality:
            found[municipality_id] += of_day[meeting] * count
        return found

    def accepted_total(self, until: date) -> int:
        first = self.window.first
        return sum(
            self.days.count(max(meeting, first), min(end, until)) * count
            for meeting, end, count in self.per_day
        )

    def committed_by_month(
        self, totals: dict[date, Tally], month_ends: Sequence[date], rate: Money
    ) -> list[tuple[date, Money]]:
        """Each month end's money of the started and the accepted placements, before intake."""
        return [
            (end, rate * (self.window.accrued_days(totals, end) + self.accepted_total(end)))
            for end in month_ends
        ]

    def intake_days(self, year: int, until: date) -> int:
        """Days in (after, until] of the expected new starts: `intake_forecast_per_month` on
        the first of every month after `after`, each for the ordinary enrolment, none from the
        intake stop on (the same starts as the program file's scenario,
        domain.budget_forecast)."""
        program = self.program
        if not program.intake_forecast_per_month:
            return 0
        total = sum(
            self.days.count(start, min(planned_end(program, start), until))
            for start in intake_starts(self.after, until, program.intake_stop)
            if start.year == year
        )
        return total * program.intake_forecast_per_month


def _forecast(
    session: Session,
    program: Program,
    window: BudgetWindow,
    after: date,
    *,
    per_municipality: bool = True,
) -> _Forecast:
    """The accepted placements from the kept counts (storage.accepted_meetings): per
    municipality and day for the follow-up's lines, or only per day (the pace line)."""
    rows = accepted_meetings.per_municipality(session) if per_municipality else []
    per_day: dict[date, int] = defaultdict(int)
    if per_municipality:
        for _municipality, meeting, count in rows:
            per_day[meeting] += count
    else:
        per_day.update(accepted_meetings.per_day(session))
    return _Forecast(
        program,
        window,
        after,
        rows,
        [(meeting, planned_end(program, meeting), count) for meeting, count in per_day.items()],
    )


def _municipality_lines(
    names: Sequence[tuple[int, str]],
    per: dict[int, dict[date, int]],
    forecast: _Forecast,
    rate: Money,
    to: date,
) -> list[Line]:
    window, accepted = forecast.window, forecast.accepted_days()
    return [
        Line(
            label=name,
            budget=None,
            period_budget=None,
            accrued=rate * window.accrued_of(per[municipality_id], to),
            forecast=rate
            * (window.committed_of(per[municipality_id]) + accepted.get(municipality_id, 0)),
        )
        for municipality_id, name in names
        if municipality_id in per
    ]


def _other_cost_lines(session: Session, program_year: ProgramYear, to: date) -> tuple[Line, ...]:
    entered = queries.cost_outcomes(session, program_year.year, to)
    return tuple(
        Line(
            label=cost.label,
            budget=cost.amount,
            period_budget=pro_rata(cost.amount, to),
            accrued=Money(entered.get(cost.label, 0)),
            forecast=rules.other_forecast(cost.amount, Money(entered.get(cost.label, 0))),
            entered=cost.label in entered,
        )
        for cost in program_year.other_costs
    )


def _months(
    program_year: ProgramYear,
    totals: dict[date, Tally],
    forecast: _Forecast,
    month_ends: list[date],
    to: date,
) -> tuple[MonthPoint, ...]:
    rate, window = program_year.daily_rate, forecast.window
    return tuple(
        MonthPoint(
            month_end=end,
            budget=pro_rata(program_year.budget, end),
            accrued=rate * window.accrued_days(totals, end) if end <= to else None,
            forecast=rate
            * (
                window.accrued_days(totals, end)
                + forecast.accepted_total(end)
                + forecast.intake_days(program_year.year, end)
            ),
        )
        for end in month_ends
    )


def _scenarios(
    program: Program,
    chosen: Sequence[tuple[IntakeScenario, Decimal]],
    forecast: _Forecast,
    totals: dict[date, Tally],
    month_ends: Sequence[date],
    rate: Money,
) -> tuple[ScenarioForecast, ...]:
    """Where the placement money lands by each month end under each chosen intake: the
    follow-up's scenarios and `/mm budget`'s pace line alike."""
    return intake_scenarios.scenarios(
        program,
        chosen,
        committed=forecast.committed_by_month(totals, month_ends, rate),
        rate=rate,
        first=forecast.window.first,
        after=forecast.after,
        days=forecast.days,
    )


def budget_follow_up(
    session: Session,
    *,
    actor: Actor | None,
    year: int,
    to: date,
    today: date,
    typed_intake: Decimal | None = None,
    names: Sequence[tuple[int, str]] | None = None,
) -> FollowUp:
    """The year's follow-up up to the cut-off `to`, as known `today`. `names`: the
    municipalities when the caller has read them already (the steering report)."""
    check_sees_reports(actor)
    program = current_program(session)
    rules.check_cut_off(program, year, to)
    program_year, window = program.year(year), budget_window(program, year)
    month_ends = [m for m in rules.cut_offs(year) if m >= window.first]
    first, last = program.start, program.end
    per = figures.accrued_by_municipality(session, window.days(to), first=first, last=last)
    asked = window.days(to, *month_ends) | set(intake_scenarios.pace_days(min(to, today)))
    totals = figures.tallies(session, asked, first=first, last=last)
    rate = program_year.daily_rate
    forecast = _forecast(session, program, window, max(to, today))
    lines = _municipality_lines(
        municipality_names(session) if names is None else names, per, forecast, rate, to
    )
    placements = Line(
        label="",
        budget=program_year.budget,
        period_budget=pro_rata(program_year.budget, to),
        accrued=sum((line.accrued for line in lines), ZERO),
        forecast=sum((line.forecast for line in lines), ZERO)
        + rate * forecast.intake_days(year, window.last),
    )
    chosen = intake_scenarios.starts_per_month(
        program, reference=min(to, today), tallies=totals, typed=typed_intake
    )
    return FollowUp(
        year=year,
        to=to,
        rate=rate,
        rate_confirmed=program_year.rate_confirmed,
        municipalities=tuple(lines),
        placements=placements,
        other_costs=_other_cost_lines(session, program_year, to),
        months=_months(program_year, totals, forecast, month_ends, to),
        intake_forecast_per_month=program.intake_forecast_per_month,
        scenarios=_scenarios(program, chosen, forecast, totals, month_ends, rate),
    )


def follow_up_for_reader(
    session: Session,
    *,
    actor: Actor | None,
    year: int,
    to: date,
    today: date,
    typed_intake: Decimal | None = None,
) -> FollowUp:
    """`budget_follow_up` as a page reads it: the same for everyone who may see it, so kept
    while the database reads the same (services.kept_answers); who asks is checked every
    time. Worked out, a year of 290 municipalities takes 19–29 ms in-process (`make bench`)."""
    check_sees_reports(actor)
    return kept(
        session,
        "budget follow-up",
        (year, to, today, typed_intake),
        lambda: budget_follow_up(
            session, actor=actor, year=year, to=to, today=today, typed_intake=typed_intake
        ),
    )


def budget_at_pace(
    session: Session, *, actor: Actor, year: int, today: date
) -> tuple[YearBudget, ScenarioForecast]:
    """The year's budget accrued to `today` (services.reports.budget_for) and where the
    placement money lands by the year's end at the current pace: the pace scenario of the
    follow-up to the cut-off `cut_off_for(year, today)` (its last month end; each month end
    of a scenario stands on its own), from one read of the running totals and the accepted
    placements per meeting day, for the one-line answer in chat."""
    check_sees_budget(actor)
    program = current_program(session)
    window = budget_window(program, year)
    to = cut_off_for(year, today)
    rules.check_cut_off(program, year, to)
    program_year, reference = program.year(year), min(to, today)
    month_ends = [m for m in rules.cut_offs(year) if m >= window.first][-1:]
    asked = window.days(today, to, *month_ends) | set(intake_scenarios.pace_days(reference))
    totals = figures.tallies(session, asked, first=program.start, last=program.end)
    rate = program_year.daily_rate
    forecast = _forecast(session, program, window, max(to, today), per_municipality=False)
    chosen = intake_scenarios.starts_per_month(
        program, reference=reference, tallies=totals, typed=None
    )
    at_pace = _scenarios(program, chosen[:1], forecast, totals, month_ends, rate)
    return year_budget(program, year, today, totals), at_pace[0]


def enter_cost_outcome(
    session: Session,
    *,
    actor: Actor,
    year: int,
    label: str | None,
    through: date | None,
    amount: Money | None,
    now: datetime,
) -> None:
    """The coordinator enters the utfall of one of the program's other cost lines up to a
    cut-off date (what the association's books say)."""
    if not can_coordinate(actor):
        raise NotAllowed(N_("Only the coordinator enters the utfall of the other cost lines."))
    program = current_program(session)
    labels = [c.label for c in program.year(year).other_costs]
    if label not in labels:
        raise RuleViolation(N_("Choose one of the cost lines in the list."), field="label")
    if through is None:
        raise RuleViolation(N_("Enter a date."), field="through")
    rules.check_cut_off(program, year, through)
    if through > local_date(now):
        raise RuleViolation(N_("The date cannot be in the future."), field="through")
    if amount is None or amount.ore < 0:
        raise RuleViolation(N_("Enter the utfall in kronor, zero or more."), field="amount")
    session.add(
        CostOutcome(
            year=year,
            label=label,
            through=through,
            amount_ore=amount.ore,
            entered_at=now,
            entered_by_id=actor.user_id,
        )
    )
    history.record(
        session,
        CostOutcomeEntered(year=year, label=label, through=through, amount_ore=amount.ore),
        at=now,
        actor=actor,
    )
