"""Use cases of the follow-up (domain.follow_up, domain.finsam): the budget in the association's
format, the goal indicators per period and municipality, the Finsam figures (computed, or as
reported and stored), the other cost lines' utfall, and the steering group's report.

Every report is a handful of aggregate queries: placement money from the kept running totals
(storage.figures), counts grouped in the database. `actor` None is the operator on the
command line, who sees every report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from sqlalchemy.orm import Session

from domain import follow_up as rules
from domain.access import Actor, check_sees_budget
from domain.budget_forecast import intake_starts
from domain.calendar import CompensableDays
from domain.choices import Outcome, Role
from domain.clock import local_date
from domain.enrolment import planned_end
from domain.errors import NotAllowed, RuleViolation
from domain.figures import (
    IndicatorCounts,
    IndicatorDays,
    Tally,
    day_before,
    indicator_counts,
    indicator_days,
)
from domain.finsam import ByGender, FinsamFigures, Gender, by_gender, finsam_gender, period_of
from domain.follow_up import FollowUp, IndicatorRow, Line, MonthPoint, SteeringReport, pro_rata
from domain.indicators import Indicator
from domain.money import ZERO, Money
from domain.program import DayRule, Program
from domain.text import N_
from domain.typed_events import CostOutcomeEntered, FinsamReported
from services import finsam as finsam_shape
from services import history, intake_scenarios, reports, requisition_lists
from services.program_setup import current_program
from storage import figures, requisition_queries
from storage import follow_up_queries as queries
from storage.models import CostOutcome, FinsamReport


def check_sees_reports(actor: Actor | None) -> None:
    """The coordinator, the association and the administrator see every report."""
    if actor is not None:
        check_sees_budget(actor)


@lru_cache(maxsize=4)
def _index(rule: DayRule, first: date, last: date) -> CompensableDays:
    return CompensableDays(rule, first, last)


def _names(session: Session) -> list[tuple[int, str]]:
    return [(m.id, m.name) for m in requisition_queries.municipalities(session)]


# ---- budget follow-up ---------------------------------------------------------------


@dataclass(frozen=True)
class _Accepted:
    """The accepted placements not yet started, by booked meeting day: each day's planned
    end worked out once."""

    per_municipality: list[tuple[int, date, date, int]]  # municipality, meeting, end, count
    per_day: list[tuple[date, date, int]]  # meeting, end, count (all municipalities)


def _accepted(program: Program, session: Session) -> _Accepted:
    rows = queries.accepted_meetings(session)
    ends = {meeting: planned_end(program, meeting) for meeting in {r[1] for r in rows}}
    per_day: dict[date, int] = defaultdict(int)
    for _municipality, meeting, count in rows:
        per_day[meeting] += count
    return _Accepted(
        [(m, meeting, ends[meeting], count) for m, meeting, count in rows],
        [(meeting, ends[meeting], count) for meeting, count in per_day.items()],
    )


def _accepted_days(
    program: Program, first: date, last: date, accepted: _Accepted
) -> dict[int, int]:
    """Compensable days in [first, last] of the accepted placements, from their booked
    meeting to their planned end, per municipality."""
    days = _index(program.day_rule, program.start, program.end)
    found: dict[int, int] = defaultdict(int)
    for municipality_id, meeting, end, count in accepted.per_municipality:
        found[municipality_id] += days.count(max(meeting, first), min(end, last)) * count
    return found


def _accepted_total(program: Program, first: date, last: date, accepted: _Accepted) -> int:
    days = _index(program.day_rule, program.start, program.end)
    return sum(
        days.count(max(meeting, first), min(end, last)) * count
        for meeting, end, count in accepted.per_day
    )


def _intake_days(program: Program, year: int, after: date, until: date) -> int:
    """Days in (after, until] of the expected new starts: `intake_forecast_per_month` on the
    first of every month after `after`, each for the ordinary enrolment, none from the intake
    stop on (the same starts as the program file's scenario, domain.budget_forecast)."""
    if not program.intake_forecast_per_month:
        return 0
    days = _index(program.day_rule, program.start, program.end)
    total = sum(
        days.count(start, min(planned_end(program, start), until))
        for start in intake_starts(after, until, program.intake_stop)
        if start.year == year
    )
    return total * program.intake_forecast_per_month


def budget_follow_up(
    session: Session,
    *,
    actor: Actor | None,
    year: int,
    to: date,
    today: date,
    typed_intake: Decimal | None = None,
) -> FollowUp:
    check_sees_reports(actor)
    program = current_program(session)
    rules.check_cut_off(program, year, to)
    program_year = program.year(year)
    first = max(program_year.first_day, program.start)
    last = min(program_year.last_day, program.end)
    month_ends = [m for m in rules.cut_offs(year) if m >= first]
    asked = {day_before(first), last, min(to, last)}
    per = figures.tallies_by_municipality(session, asked, first=program.start, last=program.end)
    pace_days = set(intake_scenarios.pace_days(min(to, today)))
    totals = figures.tallies(
        session, asked | set(month_ends) | pace_days, first=program.start, last=program.end
    )
    rate = program_year.daily_rate
    known = _accepted(program, session)
    accepted = _accepted_days(program, first, last, known)
    lines = []
    for municipality_id, name in _names(session):
        tally = per.get(municipality_id)
        if tally is None:
            continue
        before = tally[day_before(first)].accrued_days
        accrued = tally[min(to, last)].accrued_days - before if to >= first else 0
        committed = tally[last].accrued_days - before
        lines.append(
            Line(
                label=name,
                budget=None,
                period_budget=None,
                accrued=rate * accrued,
                forecast=rate * (committed + accepted.get(municipality_id, 0)),
            )
        )
    intake = _intake_days(program, year, max(to, today), last)
    placements = Line(
        label="",
        budget=program_year.budget,
        period_budget=pro_rata(program_year.budget, to),
        accrued=sum((line.accrued for line in lines), ZERO),
        forecast=sum((line.forecast for line in lines), ZERO) + rate * intake,
    )
    entered = queries.cost_outcomes(session, year, to)
    others = tuple(
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
    start = totals[day_before(first)].accrued_days
    months = tuple(
        MonthPoint(
            month_end=end,
            budget=pro_rata(program_year.budget, end),
            accrued=rate * (totals[end].accrued_days - start) if end <= to else None,
            forecast=rate
            * (
                totals[end].accrued_days
                - start
                + _accepted_total(program, first, end, known)
                + _intake_days(program, year, max(to, today), end)
            ),
        )
        for end in month_ends
    )
    committed_by_month = [
        (
            end,
            rate * (totals[end].accrued_days - start + _accepted_total(program, first, end, known)),
        )
        for end in month_ends
    ]
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
        other_costs=others,
        months=months,
        intake_forecast_per_month=program.intake_forecast_per_month,
        scenarios=intake_scenarios.scenarios(
            program,
            chosen,
            committed=committed_by_month,
            rate=rate,
            first=first,
            after=max(to, today),
            days=_index(program.day_rule, program.start, program.end),
        ),
    )


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
    if actor.role is not Role.COORDINATOR:
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


# ---- indicators per period and municipality --------------------------------------------


def _mean(total: float, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(str(total)) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _check_sees_indicators(actor: Actor | None, municipality_id: int | None) -> int | None:
    """Everyone who follows up sees all municipalities; a contact only their own."""
    if actor is None or actor.role in {Role.COORDINATOR, Role.ASSOCIATION, Role.ADMIN}:
        return municipality_id
    if actor.is_contact and municipality_id in (None, actor.municipality_id):
        return actor.municipality_id
    raise NotAllowed(N_("You can follow up only your own municipality's indicators."))


def indicators_report(
    session: Session,
    *,
    actor: Actor | None,
    first: date,
    last: date,
    today: date,
    municipality_id: int | None = None,
) -> list[IndicatorRow]:
    """The four goals for placements started (milestones) or ended (outcomes) in [first,
    last], as known today, per municipality and (without `municipality_id`) in total."""
    if last < first:
        raise RuleViolation(N_("The period must end after it starts."), field="to")
    municipality_id = _check_sees_indicators(actor, municipality_id)
    program = current_program(session)
    period = indicator_days(first, last, today)
    tallies = figures.tallies_by_municipality(
        session, period.all() if period else set(), first=program.start, last=program.end
    )
    outcomes: dict[int, dict[Outcome, int]] = defaultdict(dict)
    for where, outcome, count in queries.outcomes(session, first, last):
        outcomes[where][Outcome(outcome)] = count
    answers = {
        row[0]: (row[1], float(row[2] or 0)) for row in queries.answer_times(session, first, last)
    }
    meetings = {
        row[0]: (row[1], float(row[2] or 0)) for row in queries.meeting_times(session, first, last)
    }
    rows = []
    for mid, name in _names(session):
        if municipality_id not in (None, mid):
            continue
        counts = indicator_counts(period, tallies[mid]) if period and mid in tallies else None
        people = _people(period, tallies.get(mid))
        rows.append(
            _indicator_row(
                name,
                mid,
                counts,
                outcomes.get(mid, {}),
                answers.get(mid),
                meetings.get(mid),
                people,
            )
        )
    if municipality_id is None:
        rows.append(_total_row(rows, answers, meetings))
    return rows


def _people(period: IndicatorDays | None, tally: dict[date, Tally] | None) -> dict[str, int]:
    """Placements new (started), active (placed at some time) and ended in the period, from
    the kept running totals: no placement is read."""
    if period is None or tally is None:
        return {}
    before, last = tally[period.before_first], tally[period.last]
    return {
        "new": last.starts - before.starts,
        "active": last.running_from - before.running_to,
        "ended": last.ends - before.ends,
    }


def _indicator_row(
    label: str,
    municipality_id: int | None,
    counts: IndicatorCounts | None,
    outcomes: dict[Outcome, int],
    answers: tuple[int, float] | None,
    meetings: tuple[int, float] | None,
    people: dict[str, int],
) -> IndicatorRow:
    found = counts or IndicatorCounts(0, 0, 0, 0, 0, 0, 0, 0)
    return IndicatorRow(
        label=label,
        municipality_id=municipality_id,
        indicators=tuple(reports.indicators_from(found)),
        outcomes=outcomes,
        mean_days_to_answer=_mean(answers[1], answers[0]) if answers else None,
        answers=answers[0] if answers else 0,
        mean_days_to_meeting=_mean(meetings[1], meetings[0]) if meetings else None,
        meetings=meetings[0] if meetings else 0,
        new=people.get("new", 0),
        active=people.get("active", 0),
        ended=people.get("ended", 0),
    )


def _total_row(
    rows: list[IndicatorRow],
    answers: dict[int, tuple[int, float]],
    meetings: dict[int, tuple[int, float]],
) -> IndicatorRow:
    indicators = (
        tuple(
            Indicator(
                parts[0].goal,
                sum(i.achieved for i in parts),
                sum(i.counted for i in parts),
            )
            for parts in zip(*(row.indicators for row in rows), strict=True)
        )
        if rows
        else ()
    )
    outcomes: dict[Outcome, int] = defaultdict(int)
    for row in rows:
        for outcome, count in row.outcomes.items():
            outcomes[outcome] += count
    answered = sum(n for n, _t in answers.values())
    met = sum(n for n, _t in meetings.values())
    return IndicatorRow(
        label="",
        municipality_id=None,
        indicators=indicators,
        outcomes=dict(outcomes),
        mean_days_to_answer=_mean(sum(t for _n, t in answers.values()), answered),
        answers=answered,
        mean_days_to_meeting=_mean(sum(t for _n, t in meetings.values()), met),
        meetings=met,
        new=sum(r.new for r in rows),
        active=sum(r.active for r in rows),
        ended=sum(r.ended for r in rows),
    )


# ---- Uppföljning Finsam ------------------------------------------------------------------


def _genders(rows: list) -> ByGender:
    counts: dict[Gender, int] = defaultdict(int)
    for _where, legal, count in rows:
        counts[finsam_gender(legal)] += count
    return by_gender(counts)


def finsam(
    session: Session, *, actor: Actor | None, year: int, half: int | None, today: date
) -> FinsamFigures:
    """The figures as reported, when they are stored; otherwise computed now."""
    check_sees_reports(actor)
    program = current_program(session)
    program_year = program.year(year)
    stored = queries.finsam_report(session, year, half or 0)
    first, last = period_of(year, half)
    if stored is not None:
        kept = FinsamFigures(
            year=year,
            half=half,
            first=first,
            last=last,
            active=ByGender(stored.active_women, stored.active_men, stored.active_unknown),
            new=ByGender(stored.new_women, stored.new_men, stored.new_unknown),
            ended=ByGender(stored.ended_women, stored.ended_men, stored.ended_unknown),
            budgeted_participants=stored.budgeted_participants,
            budget=Money(stored.budget_ore),
            accrued=Money(stored.accrued_ore),
            rate_confirmed=stored.rate_confirmed,
            reported_at=stored.reported_at,
        )
        return finsam_shape.in_national_shape(session, kept, program, stored)
    people = queries.participants(session, first, last)
    whole = program_year.budget + sum((c.amount for c in program_year.other_costs), ZERO)
    budget = pro_rata(whole, last) - (pro_rata(whole, day_before(first)) if half == 2 else ZERO)
    accrued = _utfall(session, program, year, min(last, max(today, first)))
    if half == 2:  # the second half-year's utfall: the year's less the first half's
        accrued = accrued - _utfall(session, program, year, day_before(first))
    computed = FinsamFigures(
        year=year,
        half=half,
        first=first,
        last=last,
        active=_genders(people["active"]),
        new=_genders(people["new"]),
        ended=_genders(people["ended"]),
        budgeted_participants=program_year.participants // (2 if half else 1),
        budget=budget,
        accrued=accrued,
        rate_confirmed=program_year.rate_confirmed,
    )
    return finsam_shape.in_national_shape(session, computed, program, None)


def _utfall(session: Session, program: Program, year: int, to: date) -> Money:
    """The year's utfall up to `to`: the placement money (the budget's accrued figure) and
    the other cost lines' entered utfall."""
    budget = reports.year_budget(session, year=year, today=to, program=program)
    entered = queries.cost_outcomes(session, year, to)
    return budget.accrued + Money(sum(entered.values()))


def report_finsam(
    session: Session, *, actor: Actor | None, year: int, half: int | None, now: datetime
) -> FinsamFigures:
    """Stores the figures as reported: they stay as they are when personal data is purged.
    A period is reported once."""
    if actor is not None and actor.role is not Role.COORDINATOR:
        raise NotAllowed(N_("Only the coordinator reports to Uppföljning Finsam."))
    today = local_date(now)
    existing = queries.finsam_report(session, year, half or 0)
    if existing is not None:
        raise RuleViolation(
            N_("The Finsam figures for this period were already reported on %(date)s."),
            date=existing.reported_at,
        )
    found = finsam(session, actor=None, year=year, half=half, today=today)
    if found.last >= today:
        raise RuleViolation(
            N_("The period has not ended; its figures can be reported from %(date)s."),
            date=found.last + timedelta(days=1),
        )
    session.add(
        FinsamReport(
            year=year,
            half=half or 0,
            active_women=found.active.women,
            active_men=found.active.men,
            active_unknown=found.active.unknown,
            new_women=found.new.women,
            new_men=found.new.men,
            new_unknown=found.new.unknown,
            ended_women=found.ended.women,
            ended_men=found.ended.men,
            ended_unknown=found.ended.unknown,
            budgeted_participants=found.budgeted_participants,
            budget_ore=found.budget.ore,
            accrued_ore=found.accrued.ore,
            rate_confirmed=found.rate_confirmed,
            reported_at=now,
            reported_by_id=actor.user_id if actor else None,
            snapshot=finsam_shape.snapshot(found),
        )
    )
    history.record(session, FinsamReported(year=year, half=half or 0), at=now, actor=actor)
    return found


# ---- the steering group's report ---------------------------------------------------------


def steering_report(
    session: Session, *, actor: Actor | None, first: date, last: date, today: date
) -> SteeringReport:
    """One page for the samverkansgrupp: participants, the goals, outcomes, the budget,
    requisitions outstanding and the free places now."""
    check_sees_reports(actor)
    if last < first:
        raise RuleViolation(N_("The period must end after it starts."), field="to")
    to = min(last, today)
    return SteeringReport(
        first=first,
        last=last,
        indicators=tuple(
            indicators_report(session, actor=None, first=first, last=last, today=today)
        ),
        follow_up=budget_follow_up(session, actor=None, year=to.year, to=to, today=today),
        accruals=tuple(requisition_lists.accruals(session, actor=None, on=to, today=today)),
        waiting_for_attestation=len(requisition_queries.waiting_for_attestation(session)),
        places=reports.availability(session),
    )
