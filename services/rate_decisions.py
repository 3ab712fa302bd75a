"""A year's daily rate as a decision (issue 23): what confirming or changing it would change,
asked before it is done, and the decisions so far with who, when and why.

A basis already claimed keeps the rate it was submitted with (it stays attestable); the
difference, each placement line's days × the change, comes as *Ändrad dagersättning*
correction lines on the municipality's next basis (domain.requisition.corrections_for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from domain.access import Actor, check_sets_rates
from domain.events import EventKind
from domain.money import ZERO, Money
from domain.program import ProgramYear
from domain.requisition import Period, State
from services.program_setup import current_program
from storage.models import Event, Requisition


@dataclass(frozen=True)
class Affected:
    """A claimed basis of the year whose amount a new rate corrects on the next basis."""

    municipality: str
    municipality_code: str
    period: Period
    state: State
    days: int
    claimed_rate: Money
    difference: Money  # days × (new rate − the rate claimed)


@dataclass(frozen=True)
class RateChange:
    year: ProgramYear  # as it stands now
    rate: Money  # as it would be
    affected: tuple[Affected, ...]

    @property
    def total(self) -> Money:
        return sum((a.difference for a in self.affected), ZERO)


def preview(session: Session, *, actor: Actor, year: int, rate: Money) -> RateChange:
    """What setting `year`'s rate to `rate` would change: every submitted, attested or paid
    basis of the year at another rate, with its days and the difference."""
    check_sets_rates(actor)
    standing = session.scalars(
        select(Requisition)
        .where(Requisition.state != State.RETURNED)
        .options(selectinload(Requisition.lines))
        .order_by(Requisition.period_first, Requisition.municipality_name)
    )
    affected = []
    for basis in standing:
        if basis.period_first.year != year:
            continue
        days = sum(
            line.days
            for line in basis.lines
            if line.corrects_first is None and line.daily_rate_ore != rate.ore
        )
        difference = sum(
            (
                (rate - Money(line.daily_rate_ore)) * line.days
                for line in basis.lines
                if line.corrects_first is None
            ),
            ZERO,
        )
        if difference.ore:
            affected.append(
                Affected(
                    basis.municipality_name,
                    basis.municipality_code,
                    Period(basis.period_first, basis.period_last),
                    State(basis.state),
                    days,
                    Money(basis.daily_rate_ore),
                    difference,
                )
            )
    return RateChange(current_program(session).year(year), rate, tuple(affected))


@dataclass(frozen=True)
class Decision:
    at: datetime
    by: str
    year: int
    previous: Money | None  # None: the year's rate was not confirmed before
    rate: Money
    reason: str


def decisions(session: Session, *, actor: Actor) -> list[Decision]:
    """Every confirmation and change of a daily rate, newest first, naming who and why."""
    check_sets_rates(actor)
    events = session.scalars(
        select(Event)
        .where(Event.kind == EventKind.DAILY_RATE_SET)
        .options(selectinload(Event.actor))
        .order_by(Event.at.desc(), Event.id.desc())
    )
    return [
        Decision(
            at=e.at,
            by=e.actor.name if e.actor is not None else "–",
            year=int(e.details["year"]),
            previous=Money(e.details["previous_ore"])
            if e.details.get("previous_confirmed", True)
            else None,
            rate=Money(e.details["rate_ore"]),
            reason=str(e.details.get("reason", "")),
        )
        for e in events
    ]
