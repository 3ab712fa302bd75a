"""Read-only use cases: free places, budget per year, goal indicators. Counted in the
database; the arithmetic is in availability, budget and indicators."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor, check_sees_budget
from domain.availability import Availability, MunicipalityPlaces
from domain.budget import YearBudget
from domain.errors import RuleViolation
from domain.indicators import Goal, Indicator
from domain.lifecycle import ReferralStatus
from domain.program import Program
from domain.text import N_
from services.program_setup import current_program
from storage import queries
from storage.models import CompensableDayRow, Municipality


def availability(session: Session) -> Availability:
    counts = queries.status_counts_by_municipality(session)
    return Availability(
        tuple(
            MunicipalityPlaces(
                municipality_id=m.id,
                municipality=m.name,
                capacity=m.capacity,
                started=counts.get(m.id, {}).get(ReferralStatus.STARTED, 0),
                accepted_not_started=counts.get(m.id, {}).get(ReferralStatus.ACCEPTED, 0),
                state=m.intake_state,
            )
            for m in queries.municipalities(session)
        )
    )


def places_of(session: Session, municipality_id: int, *, lock: bool = False) -> MunicipalityPlaces:
    """One municipality's places; with `lock`, its row is locked first so that the count
    includes everything committed before, and nobody else decides about it until commit."""
    municipality = (
        queries.lock_municipality(session, municipality_id)
        if lock
        else session.get(Municipality, municipality_id)
    )
    if municipality is None:
        raise RuleViolation(
            N_("Choose one of the municipalities in the list."), field="municipality"
        )
    taken = queries.places_taken(session, municipality_id)
    return MunicipalityPlaces(
        municipality_id=municipality.id,
        municipality=municipality.name,
        capacity=municipality.capacity,
        started=taken.get(ReferralStatus.STARTED, 0),
        accepted_not_started=taken.get(ReferralStatus.ACCEPTED, 0),
        state=municipality.intake_state,
    )


def _days_in_index(session: Session, first: date, last: date) -> int:
    before = session.scalar(select(CompensableDayRow.before).where(CompensableDayRow.day == first))
    through = session.scalar(select(CompensableDayRow.through).where(CompensableDayRow.day == last))
    return (through or 0) - (before or 0)


def year_budget(
    session: Session, *, year: int, today: date, program: Program | None = None
) -> YearBudget:
    """The budget follow-up of one program year, accrued up to and including `today`."""
    program = program or current_program(session)
    program_year = program.year(year)
    first = max(program_year.first_day, program.start)
    last = min(program_year.last_day, program.end)
    committed = queries.compensable_days(session, first, last)
    accrued = queries.compensable_days(session, first, min(last, today)) if today >= first else 0
    return YearBudget(
        year=program_year,
        accrued_to=today,
        compensable_days_in_year=_days_in_index(session, first, last),
        committed_days=committed,
        accrued_days=accrued,
    )


def budget_for(session: Session, *, actor: Actor, year: int, today: date) -> YearBudget:
    check_sees_budget(actor)
    return year_budget(session, year=year, today=today)


def all_years(session: Session, *, today: date) -> list[YearBudget]:
    program = current_program(session)
    return [year_budget(session, year=y.year, today=today, program=program) for y in program.years]


def indicators(session: Session, *, today: date) -> list[Indicator]:
    c = queries.indicator_counts(session, today)
    return [
        Indicator(Goal.ASSESSMENT_PLAN, c["plan_on_time"], c["plan_counted"]),
        Indicator(Goal.WORKPLACE_TRAINING, c["training_on_time"], c["training_counted"]),
        Indicator(Goal.GOAL_OUTCOME, c["goal_outcome"], c["ended"]),
        Indicator(Goal.ALTERNATIVE_PLAN, c["alternative_plan"], c["other_ended"]),
    ]
