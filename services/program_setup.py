"""Use cases for the program itself: install settings, read the program, set a year's rate."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.access import Actor, check_sets_rates
from domain.errors import RuleViolation, SettingsError
from domain.money import Money
from domain.program import Program
from domain.settings import parse_program
from domain.text import N_, Text
from domain.typed_events import DailyRateSet, ProgramLoaded
from services import history
from storage import program_store
from storage.models import DailyRateDecision, Municipality, ProgramYearRow


def load_program_file(path: Path) -> Program:
    """Reads and validates a settings file; raises SettingsError listing every problem."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(
            [Text(N_("The settings file %(path)s does not exist."), {"path": str(path)})]
        ) from None
    except (OSError, UnicodeDecodeError):
        raise SettingsError(
            [Text(N_("The settings file %(path)s could not be read."), {"path": str(path)})]
        ) from None
    return parse_program(raw)


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


MAX_RATE_REASON = 1000


def _checked_rate(rate: Money | None) -> Money:
    if rate is None or rate.ore <= 0 or rate.ore > 1_000_000:
        raise RuleViolation(
            N_("The daily rate must be an amount in kronor above zero."), field="rate"
        )
    return rate


def _checked_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise RuleViolation(
            N_("Write why the daily rate is set, for example the association's decision."),
            field="reason",
        )
    if len(text) > MAX_RATE_REASON:
        raise RuleViolation(
            N_("The text is too long: at most %(limit)s characters."),
            field="reason",
            limit=MAX_RATE_REASON,
        )
    return text


def _compare_and_set(
    session: Session, year: int, rate: Money, seen: tuple[Money | None] | None
) -> None:
    """Sets the year's rate only if it still stands as the person saw it (`seen`: the rate
    they were shown, None inside for an unconfirmed year; None: the operator, always)."""
    where = [ProgramYearRow.year == year]
    if seen is not None:
        (expected,) = seen
        where += (
            [ProgramYearRow.rate_confirmed.is_(False)]
            if expected is None
            else [
                ProgramYearRow.rate_confirmed.is_(True),
                ProgramYearRow.daily_rate_ore == expected.ore,
            ]
        )
    done = session.execute(
        update(ProgramYearRow)
        .where(*where)
        .values(daily_rate_ore=rate.ore, rate_confirmed=True)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise RuleViolation(
            N_(
                "The daily rate for %(year)s was set by someone else just now. Look at it "
                "again before you change it."
            ),
            year=str(year),
        )


def set_daily_rate(
    session: Session,
    *,
    actor: Actor | None,
    year: int,
    rate: Money | None,
    now: datetime,
    reason: str | None = None,
    expected: Money | None = None,
) -> None:
    """Confirms a year's daily rate (the index adjustment for years 2 and 3), or changes a
    confirmed one: a decision with a reason, recorded with who and when. `expected` is the
    rate the person saw (None: the year was not confirmed): a compare-and-set, so of two
    decisions at once one wins and the other is told to look again. Bases already claimed
    keep their rate; the difference comes as correction lines on each next basis.

    `actor` is None only for the command line, run by whoever operates the server (its
    reason is optional)."""
    if actor is not None:
        check_sets_rates(actor)
    program = current_program(session)
    before = program.year(year)  # refuses a year outside the program
    rate = _checked_rate(rate)
    why = _checked_reason(reason) if actor is not None else (reason or "").strip()
    if before.rate_confirmed and before.daily_rate == rate:
        raise RuleViolation(
            N_("The daily rate for %(year)s is already %(rate)s."),
            field="rate",
            year=str(year),
            rate=rate,
        )
    _compare_and_set(session, year, rate, None if actor is None else (expected,))
    program_store.mark_changed(session)
    previous = before.daily_rate.ore if before.rate_confirmed else None
    session.add(
        DailyRateDecision(
            year=year,
            previous_ore=previous,
            rate_ore=rate.ore,
            reason=why,
            decided_at=now,
            decided_by_id=actor.user_id if actor is not None else None,
        )
    )
    history.record(
        session,
        DailyRateSet(year=year, previous_ore=before.daily_rate.ore, rate_ore=rate.ore),
        at=now,
        actor=actor,
    )
