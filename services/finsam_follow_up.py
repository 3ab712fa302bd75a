"""Uppföljning Finsam (domain.finsam): the figures of a year or half-year, computed now or as
reported and stored, and reporting them.

The utfall is the budget window's accrued placement money (domain.budget, from the kept
running totals) and the other cost lines' entered utfall. The participants by gender come
from the reports' kept totals per kept legal gender (storage.report_figures): two days' rows,
however many placements there are."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from domain.access import Actor, can_coordinate
from domain.budget import budget_window
from domain.clock import local_date
from domain.errors import NotAllowed, RuleViolation
from domain.figures import day_before
from domain.finsam import ByGender, FinsamFigures, Gender, by_gender, finsam_gender, period_of
from domain.follow_up import pro_rata
from domain.money import ZERO, Money
from domain.program import Program
from domain.text import N_
from domain.typed_events import FinsamReported
from services import finsam as finsam_shape
from services import history
from services.program_setup import current_program
from services.reports import check_sees_reports
from storage import figures, report_figures
from storage import follow_up_queries as queries
from storage.models import FinsamReport


def _genders(rows: Iterable[Any]) -> ByGender:
    counts: dict[Gender, int] = defaultdict(int)
    for _where, legal, count in rows:
        counts[finsam_gender(legal)] += count
    return by_gender(counts)


def _as_reported(stored: FinsamReport, year: int, half: int | None) -> FinsamFigures:
    first, last = period_of(year, half)
    return FinsamFigures(
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


def finsam(
    session: Session, *, actor: Actor | None, year: int, half: int | None, today: date
) -> FinsamFigures:
    """The figures as reported, when they are stored; otherwise computed now."""
    check_sees_reports(actor)
    program = current_program(session)
    program_year = program.year(year)
    stored = queries.finsam_report(session, year, half or 0)
    if stored is not None:
        kept = _as_reported(stored, year, half)
        return finsam_shape.in_national_shape(session, kept, program, stored)
    first, last = period_of(year, half)
    people = report_figures.participants(session, first, last, (program.start, program.end))
    whole = program_year.budget + sum((c.amount for c in program_year.other_costs), ZERO)
    budget = pro_rata(whole, last) - (pro_rata(whole, day_before(first)) if half == 2 else ZERO)
    to = min(last, max(today, first))
    less = day_before(first) if half == 2 else None  # the second half: the year's less the first's
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
        accrued=_utfall(session, program, year, to, less=less),
        rate_confirmed=program_year.rate_confirmed,
    )
    return finsam_shape.in_national_shape(session, computed, program, None)


def _utfall(session: Session, program: Program, year: int, to: date, *, less: date | None) -> Money:
    """The year's utfall up to `to` (less that up to `less`): the placement money (the
    budget's accrued figure, both days read from the kept totals at once) and the other cost
    lines' entered utfall."""
    window = budget_window(program, year)
    cut_offs = [to] if less is None else [to, less]
    tally = figures.tallies(session, window.days(*cut_offs), first=program.start, last=program.end)
    rate = program.year(year).daily_rate

    def up_to(day: date) -> Money:
        entered = queries.cost_outcomes(session, year, day)
        return rate * window.accrued_days(tally, day) + Money(sum(entered.values()))

    return up_to(to) if less is None else up_to(to) - up_to(less)


def report_finsam(
    session: Session, *, actor: Actor | None, year: int, half: int | None, now: datetime
) -> FinsamFigures:
    """Stores the figures as reported: they stay as they are when personal data is purged.
    A period is reported once."""
    if actor is not None and not can_coordinate(actor):
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
