"""Use cases of the requisition flow (domain.requisition): a municipality's basis for one
period (live while a draft, frozen once submitted, with corrections of earlier periods),
submit, attest or return, mark paid. Lists, work and accruals: services.requisition_lists.

Each change of state is one writer's: `UPDATE … WHERE id = :id AND state = :expected`, and
0 rows is the same Swedish refusal a second click gets (two at once on PostgreSQL too).

Reading a basis (and its corrections): services.requisition_basis; `basis` is named here too.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import requisition as rules
from domain.access import Actor
from domain.clock import local_date
from domain.errors import NotFound, RuleViolation
from domain.program import Program
from domain.requisition import (
    Action,
    Basis,
    Period,
    State,
)
from domain.text import N_
from domain.typed_events import (
    RequisitionAttested,
    RequisitionPaid,
    RequisitionReturned,
    RequisitionSubmitted,
)
from services import history
from services.program_setup import current_program
from services.requisition_basis import basis as basis
from services.requisition_basis import municipality_of, rate_of, read_basis
from storage.models import Requisition, RequisitionLine


def _standing_row(session: Session, requisition_id: int | None, basis: Basis) -> Requisition:
    """The submission a form acted on: it must be the one standing now (a tampered or stale
    id changes nothing)."""
    if requisition_id is None or requisition_id != basis.requisition_id:
        raise RuleViolation(
            N_("The basis was changed by someone else just now. Reload the page and try again.")
        )
    row = session.get(Requisition, requisition_id)
    if row is None:
        raise NotFound(N_("There is no such requisition basis."))
    return row


def submit(
    session: Session, *, actor: Actor, municipality_id: int, period: Period, now: datetime
) -> Requisition:
    """The municipality's contact submits an ended period: its lines are frozen."""
    rules.check_sees(actor, municipality_id)
    program = current_program(session)
    municipality = municipality_of(session, municipality_id)
    today = local_date(now)
    found = read_basis(session, program, municipality, period, today)
    rules.check(actor, found, Action.SUBMIT, today)
    row = Requisition(
        municipality_id=municipality.id,
        period_first=period.first,
        period_last=period.last,
        state=State.SUBMITTED,
        municipality_name=found.header.municipality,
        municipality_code=found.header.municipality_code,
        reference=found.header.reference,
        account=found.header.account,
        daily_rate_ore=found.daily_rate.ore,
        rate_confirmed=found.rate_confirmed,
        days=found.days,
        total_ore=found.total.ore,
        submitted_at=now,
        submitted_by_id=actor.user_id,
        return_reason="",
        lines=_frozen_lines(program, found),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # submitted at the same moment by someone else
        raise _submitted_already(found, period, today) from None
    history.record(
        session, RequisitionSubmitted(**_about(row), total_ore=row.total_ore), at=now, actor=actor
    )
    return row


def _frozen_lines(program: Program, found: Basis) -> list[RequisitionLine]:
    """The basis's lines as submitted: the period's own, then its corrections of earlier
    periods, each at the daily rate of the period it corrects."""
    return [
        RequisitionLine(
            reference_code=line.reference_code,
            first_day=line.first_day,
            last_day=line.last_day,
            days=line.days,
            daily_rate_ore=line.daily_rate.ore,
            amount_ore=line.amount.ore,
        )
        for line in found.lines
    ] + [
        RequisitionLine(
            reference_code=c.reference_code,
            days=c.days,
            daily_rate_ore=rate_of(program, c.period)[0].ore,
            amount_ore=c.amount.ore,
            corrects_first=c.period.first,
            corrects_last=c.period.last,
            claimed_days=c.claimed_days,
            correction_kind=c.kind.value,
        )
        for c in found.corrections
    ]


def _submitted_already(found: Basis, period: Period, today: date) -> RuleViolation:
    """The refusal when someone else submitted the same period at the same moment."""
    return rules.refusal(found, Action.SUBMIT, today) or RuleViolation(
        N_(
            "The requisition basis for %(first)s – %(last)s has already been submitted; a "
            "period can be submitted once."
        ),
        first=period.first,
        last=period.last,
    )


class _RequisitionFields(TypedDict):
    municipality_id: int
    requisition_id: int
    period_first: date
    period_last: date


def _about(row: Requisition) -> _RequisitionFields:
    """What every event about a requisition says: whose, which, for which period."""
    return _RequisitionFields(
        municipality_id=row.municipality_id,
        requisition_id=row.id,
        period_first=row.period_first,
        period_last=row.period_last,
    )


def _act(
    session: Session,
    *,
    actor: Actor,
    municipality_id: int,
    period: Period,
    requisition_id: int | None,
    action: Action,
    today: date,
) -> Requisition:
    rules.check_sees(actor, municipality_id)
    program = current_program(session)
    found = read_basis(session, program, municipality_of(session, municipality_id), period, today)
    rules.check(actor, found, action, today)
    return _standing_row(session, requisition_id, found)


def _move(
    session: Session, row: Requisition, action: Action, expected: State, **values: Any
) -> None:
    """Compare and set: the row changes only if it still stands as the check saw it. Of two
    at once, the second finds 0 rows (PostgreSQL re-reads the row after the first commits)
    and gets the refusal a later click gets; nothing of it is saved."""
    done = session.execute(
        update(Requisition)
        .where(Requisition.id == row.id, Requisition.state == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise rules.no_longer(action)
    session.expire(row)


def attest(
    session: Session,
    *,
    actor: Actor,
    municipality_id: int,
    period: Period,
    requisition_id: int | None,
    now: datetime,
) -> None:
    """The coordinator attests a submitted basis, at the rate it was submitted with (a rate
    changed since is corrected on the next basis)."""
    row = _act(
        session,
        actor=actor,
        municipality_id=municipality_id,
        period=period,
        requisition_id=requisition_id,
        action=Action.ATTEST,
        today=local_date(now),
    )
    _move(
        session,
        row,
        Action.ATTEST,
        State.SUBMITTED,
        state=State.ATTESTED,
        attested_at=now,
        attested_by_id=actor.user_id,
        rate_confirmed=True,
    )
    history.record(
        session, RequisitionAttested(**_about(row), total_ore=row.total_ore), at=now, actor=actor
    )


def return_basis(
    session: Session,
    *,
    actor: Actor,
    municipality_id: int,
    period: Period,
    requisition_id: int | None,
    reason: str | None,
    now: datetime,
) -> None:
    """The coordinator sends a submitted basis back: the period is a draft again."""
    row = _act(
        session,
        actor=actor,
        municipality_id=municipality_id,
        period=period,
        requisition_id=requisition_id,
        action=Action.RETURN,
        today=local_date(now),
    )
    _move(
        session,
        row,
        Action.RETURN,
        State.SUBMITTED,
        state=State.RETURNED,
        return_reason=rules.checked_reason(reason),
        returned_at=now,
        returned_by_id=actor.user_id,
    )
    history.record(session, RequisitionReturned(**_about(row)), at=now, actor=actor)


def mark_paid(
    session: Session,
    *,
    actor: Actor,
    municipality_id: int,
    period: Period,
    requisition_id: int | None,
    paid_on: date | None,
    now: datetime,
) -> None:
    """The association records the payment: the day it was paid (from the attest day to
    today) and, kept beside it, the moment it was recorded."""
    today = local_date(now)
    row = _act(
        session,
        actor=actor,
        municipality_id=municipality_id,
        period=period,
        requisition_id=requisition_id,
        action=Action.MARK_PAID,
        today=today,
    )
    assert row.attested_at is not None  # an attested basis has its moment
    _move(
        session,
        row,
        Action.MARK_PAID,
        State.ATTESTED,
        state=State.PAID,
        paid_on=rules.check_payment_date(paid_on, local_date(row.attested_at), today),
        paid_at=now,
        paid_by_id=actor.user_id,
    )
    history.record(
        session, RequisitionPaid(**_about(row), paid_on=row.paid_on), at=now, actor=actor
    )
