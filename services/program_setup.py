"""Use cases for the program itself: install settings, read the program, set a year's rate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor, check_sets_rates
from domain.errors import RuleViolation
from domain.money import Money
from domain.program import Program
from domain.text import N_
from domain.typed_events import DailyRateSet, ProgramLoaded
from services import history
from storage import program_store
from storage.models import Municipality, ProgramYearRow


def current_program(session: Session) -> Program:
    program = program_store.read_program(session)
    if program is None:
        raise RuleViolation(N_("No program is loaded yet. Load one with: mm program load"))
    return program


def install_program(session: Session, program: Program, *, now: datetime) -> None:
    """Writes the settings into the database; municipalities are added or renamed by
    kommunkod, and keep the capacity and offer they have set themselves."""
    row = program_store.program_row(session)
    if row is not None and row.key != program.key:
        raise RuleViolation(
            N_(
                "This database holds the program %(existing)s; another program (%(new)s) "
                "needs a database of its own."
            ),
            existing=row.key,
            new=program.key,
        )
    program_store.write_program(session, program, row)
    existing = {m.code: m for m in session.scalars(select(Municipality))}
    for settings in program.municipalities:
        municipality = existing.get(settings.code)
        if municipality is None:
            session.add(
                Municipality(
                    name=settings.name,
                    code=settings.code,
                    capacity=settings.capacity,
                    offer=settings.offer,
                )
            )
        else:
            municipality.name = settings.name
    session.flush()
    history.record(session, ProgramLoaded(program=program.key), at=now, actor=None)


def set_daily_rate(
    session: Session, *, actor: Actor | None, year: int, rate: Money, now: datetime
) -> None:
    """Confirms a year's daily rate (the index adjustment for years 2 and 3).

    `actor` is None only for the command line, run by whoever operates the server."""
    if actor is not None:
        check_sets_rates(actor)
    program = current_program(session)
    program.year(year)  # refuses a year outside the program
    if rate.ore <= 0 or rate.ore > 1_000_000:
        raise RuleViolation(
            N_("The daily rate must be an amount in kronor above zero."), field="rate"
        )
    row = session.scalars(select(ProgramYearRow).where(ProgramYearRow.year == year)).one()
    previous = row.daily_rate_ore
    row.daily_rate_ore = rate.ore
    row.rate_confirmed = True
    program_store.mark_changed(session)
    history.record(
        session,
        DailyRateSet(year=year, previous_ore=previous, rate_ore=rate.ore),
        at=now,
        actor=actor,
    )
