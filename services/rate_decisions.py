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
from domain.money import ZERO, Money
from domain.program import ProgramYear
from domain.requisition import Period, State
from services.program_setup import current_program
from storage.models import DailyRateDecision, Requisition


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
    rows = session.scalars(
        select(DailyRateDecision)
        .options(selectinload(DailyRateDecision.decided_by))
        .order_by(DailyRateDecision.decided_at.desc(), DailyRateDecision.id.desc())
    )
    return [
        Decision(
            at=row.decided_at,
            by=row.decided_by.name if row.decided_by is not None else "–",
            year=row.year,
            previous=Money(row.previous_ore) if row.previous_ore is not None else None,
            rate=Money(row.rate_ore),
            reason=row.reason,
        )
        for row in rows
    ]
