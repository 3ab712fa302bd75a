"""Read-only use cases: free places, budget per year, goal indicators. Read from the figures
the database maintains (storage.figures): a fixed number of small queries, however long the
history; the arithmetic is in availability, budget, figures and indicators."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from domain.access import Actor, check_sees_budget
from domain.availability import Availability, MunicipalityPlaces
from domain.budget import YearBudget, budget_window
from domain.budget import year_budget as year_budget_of
from domain.choices import IntakeState
from domain.errors import RuleViolation
from domain.figures import IndicatorCounts, indicator_counts, indicator_days
from domain.indicators import Goal, Indicator
from domain.program import Program
from domain.text import N_
from services import place_outlooks
from services.kept_answers import kept
from services.paging import Page
from services.program_setup import current_program
from storage import figures, queries


@lru_cache(maxsize=8)
def _places(rows: tuple[Any, ...]) -> tuple[MunicipalityPlaces, ...]:
    """The municipalities' places from the rows read (figures.used_places): made once for the
    same rows, since building a few hundred of them costs more than reading them."""
    return tuple(
        MunicipalityPlaces(
            municipality_id=municipality_id,
            municipality=name,
            capacity=capacity,
            started=started,
            accepted_not_started=accepted,
            state=IntakeState(state),
        )
        for municipality_id, name, capacity, state, accepted, started in rows
    )


def availability(
    session: Session,
    *,
    today: date | None = None,
    program: Program | None = None,
    outlook_for: Collection[int] | None = None,
) -> Availability:
    """Free places now; with `today`, also the outlook (domain.forecast) of each municipality,
    or of those in `outlook_for`: when its next place is expected to free up, and how many
    free up in the coming months."""
    # The same for every reader of the same data: kept while the database reads the same.
    found = Availability(kept(session, "places", (), lambda: _places(figures.used_places(session))))
    if today is None:
        return found
    return with_outlooks(session, found, today=today, program=program, municipality_ids=outlook_for)


def with_outlooks(
    session: Session,
    found: Availability,
    *,
    today: date,
    program: Program | None = None,
    municipality_ids: Collection[int] | None = None,
) -> Availability:
    """`found` with the outlook of every municipality, or of those in `municipality_ids` (the
    ones shown): only their places in use are read."""
    wanted = [
        m
        for m in found.municipalities
        if municipality_ids is None or m.municipality_id in municipality_ids
    ]
    ahead = place_outlooks.outlooks(
        session, program or current_program(session), today=today, wanted=wanted
    )
    return Availability(
        tuple(
            replace(m, outlook=ahead[m.municipality_id]) if m.municipality_id in ahead else m
            for m in found.municipalities
        )
    )


def places_page(
    session: Session, *, today: date, number: int, size: int, program: Program | None = None
) -> tuple[Availability, Page[MunicipalityPlaces]]:
    """Free places of every municipality, and page `number` of them (`size` to a page) with
    the outlook of the municipalities on it."""
    found = availability(session)
    shown = Page.of(found.municipalities, number, size)
    found = with_outlooks(
        session,
        found,
        today=today,
        program=program,
        municipality_ids={m.municipality_id for m in shown.rows},
    )
    return found, Page.of(found.municipalities, shown.number, size)


def places_of(session: Session, municipality_id: int, *, lock: bool = False) -> MunicipalityPlaces:
    """One municipality's places; with `lock`, its row is locked first so that the count
    includes everything committed before, and nobody else decides about it until commit."""
    if lock and queries.lock_municipality(session, municipality_id) is None:
        raise RuleViolation(
            N_("Choose one of the municipalities in the list."), field="municipality"
        )
    found = figures.used_places_of(session, municipality_id)
    if found is None:
        raise RuleViolation(
            N_("Choose one of the municipalities in the list."), field="municipality"
        )
    return MunicipalityPlaces(
        municipality_id=found.id,
        municipality=found.name,
        capacity=found.capacity,
        started=found.started,
        accepted_not_started=found.accepted,
        state=found.intake_state,
    )


def year_budgets(
    session: Session, *, years: Iterable[int], today: date, program: Program | None = None
) -> list[YearBudget]:
    """The budget follow-up of each year, accrued up to and including `today`: one query,
    kept while the database reads the same (services.kept_answers)."""
    program = program or current_program(session)
    asked = tuple(years)

    def work() -> tuple[YearBudget, ...]:
        days = set().union(*(budget_window(program, year).days(today) for year in asked))
        tally = figures.tallies(session, days, first=program.start, last=program.end)
        return tuple(year_budget_of(program, year, today, tally) for year in asked)

    return list(kept(session, "year budgets", (program, asked, today), work))


def year_budget(
    session: Session, *, year: int, today: date, program: Program | None = None
) -> YearBudget:
    """The budget follow-up of one program year, accrued up to and including `today`."""
    return year_budgets(session, years=[year], today=today, program=program)[0]


def check_sees_reports(actor: Actor | None) -> None:
    """The coordinator, the association and the administrator see every report; `actor`
    None is the operator on the command line."""
    if actor is not None:
        check_sees_budget(actor)


def budget_for(session: Session, *, actor: Actor, year: int, today: date) -> YearBudget:
    check_sees_budget(actor)
    return year_budget(session, year=year, today=today)


def all_years(session: Session, *, today: date, program: Program | None = None) -> list[YearBudget]:
    program = program or current_program(session)
    return year_budgets(
        session, years=[y.year for y in program.years], today=today, program=program
    )


def indicators_from(counts: IndicatorCounts) -> list[Indicator]:
    return [
        Indicator(Goal.ASSESSMENT_PLAN, counts.plan_on_time, counts.plan_counted),
        Indicator(Goal.WORKPLACE_TRAINING, counts.training_on_time, counts.training_counted),
        Indicator(Goal.GOAL_OUTCOME, counts.goal_outcome, counts.ended),
        Indicator(Goal.ALTERNATIVE_PLAN, counts.alternative_plan, counts.other_ended),
    ]


def indicators(session: Session, *, today: date, program: Program | None = None) -> list[Indicator]:
    """The four goals over everything since the program started, as known today; kept while
    the database reads the same (services.kept_answers)."""
    program = program or current_program(session)

    def work() -> tuple[Indicator, ...]:
        days = indicator_days(program.start, today, today)
        tally = figures.tallies(
            session, days.all() if days else set(), first=program.start, last=program.end
        )
        return tuple(indicators_from(indicator_counts(days, tally)))

    return list(kept(session, "indicators", (program, today), work))
