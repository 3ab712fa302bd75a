"""Use cases of the requisition flow (domain.requisition): a municipality's basis for one
period (live while a draft, frozen once submitted, with corrections of earlier periods),
submit, attest or return, mark paid. Lists, work and accruals: services.requisition_lists.

Each change of state is one writer's: `UPDATE … WHERE id = :id AND state = :expected`, and
0 rows is the same Swedish refusal a second click gets (two at once on PostgreSQL too).

Corrections come from recomputing a submitted period against what was frozen, never from a
particular kind of change: whatever moved a placement's dates (an early end, an extension, a
corrected start), the difference shows on the municipality's next open basis.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import requisition as rules
from domain.access import Actor
from domain.clock import local_date
from domain.errors import NotFound, RuleViolation
from domain.events import EventKind
from domain.money import Money
from domain.program import Program
from domain.requisition import (
    Action,
    Basis,
    Correction,
    CorrectionKind,
    Header,
    Line,
    Period,
    State,
    Step,
    StepKind,
)
from domain.text import N_
from services import history
from services.program_setup import current_program
from storage import requisition_queries as queries
from storage.models import Municipality, Requisition, RequisitionLine, User


def _municipality(session: Session, municipality_id: int) -> Municipality:
    found = session.get(Municipality, municipality_id)
    if found is None:
        raise NotFound(N_("There is no such requisition basis."))
    return found


def _inside(program: Program, period: Period) -> tuple[date, date]:
    return max(period.first, program.start), min(period.last, program.end)


def _rate(program: Program, period: Period) -> tuple[Money, bool]:
    year = program.year(period.year)
    return year.daily_rate, year.rate_confirmed


def _live_lines(
    session: Session, program: Program, municipality_id: int, period: Period
) -> list[Line]:
    first, last = _inside(program, period)
    rate, _confirmed = _rate(program, period)
    return [
        Line(row.reference_code, row.first_day, row.last_day, int(row.days), rate)
        for row in queries.live_lines(session, municipality_id, first, last)
    ]


def _frozen(line: RequisitionLine) -> Line:
    assert line.first_day is not None and line.last_day is not None  # a placement line
    return Line(
        line.reference_code, line.first_day, line.last_day, line.days, Money(line.daily_rate_ore)
    )


def _frozen_correction(line: RequisitionLine) -> Correction:
    assert line.corrects_first is not None and line.corrects_last is not None
    claimed = line.claimed_days or 0
    return Correction(
        line.reference_code,
        Period(line.corrects_first, line.corrects_last),
        claimed,
        claimed + line.days,
        Money(line.amount_ore),
        CorrectionKind(line.correction_kind or CorrectionKind.DAYS),
    )


def _next_open(periods: list[Period], standing: set[date], after: Period) -> Period | None:
    return next((p for p in periods if p > after and p.first not in standing), None)


def _corrections(
    session: Session,
    program: Program,
    municipality_id: int,
    period: Period,
    standing: list[Requisition],
) -> list[Correction]:
    """Corrections of the submitted periods whose next open basis is `period`."""
    periods = rules.program_periods(program)
    submitted = {r.period_first for r in standing}
    found: list[Correction] = []
    ids = [r.id for r in standing]
    for earlier in standing:
        earlier_period = Period(earlier.period_first, earlier.period_last)
        if _next_open(periods, submitted, earlier_period) != period:
            continue
        rate, _confirmed = _rate(program, earlier_period)
        now = {
            line.reference_code: line.days
            for line in _live_lines(session, program, municipality_id, earlier_period)
        }
        claimed: dict[str, tuple[int, int]] = {}
        for line in queries.lines_of(earlier)[0]:
            days, ore = claimed.get(line.reference_code, (0, 0))
            claimed[line.reference_code] = (days + line.days, ore + line.amount_ore)
        for code, (days, ore) in queries.claimed_corrections(
            session, ids, earlier.period_first
        ).items():
            before = claimed.get(code, (0, 0))
            claimed[code] = (before[0] + days, before[1] + ore)
        for code in sorted(set(now) | set(claimed)):
            claimed_days, claimed_ore = claimed.get(code, (0, 0))
            found += rules.corrections_for(
                code,
                earlier_period,
                claimed_days=claimed_days,
                claimed=Money(claimed_ore),
                current_days=now.get(code, 0),
                rate=rate,
            )
    return found


def _header(program: Program, municipality: Municipality) -> Header:
    return Header(
        program=program.name,
        association=program.association,
        municipality=municipality.name,
        municipality_code=municipality.code,
        reference=program.requisition_reference,
        account=program.requisition_account,
    )


def _story(session: Session, rows: list[Requisition]) -> tuple[Step, ...]:
    """Every step of a period's bases (those sent back, and the standing one), naming the
    person: oldest first."""
    people = {
        user.id: user.name
        for user in session.query(User).filter(
            User.id.in_(
                {r.submitted_by_id for r in rows}
                | {r.returned_by_id for r in rows}
                | {r.attested_by_id for r in rows}
                | {r.paid_by_id for r in rows}
            )
        )
    }

    def name(user_id: int | None) -> str:
        return people.get(user_id, "–") if user_id is not None else "–"

    steps = []
    for r in rows:
        steps.append(Step(StepKind.SUBMITTED, r.submitted_at, name(r.submitted_by_id)))
        if r.returned_at is not None:
            steps.append(
                Step(StepKind.RETURNED, r.returned_at, name(r.returned_by_id), r.return_reason)
            )
        if r.attested_at is not None:
            steps.append(Step(StepKind.ATTESTED, r.attested_at, name(r.attested_by_id)))
        if r.paid_at is not None:
            steps.append(Step(StepKind.PAID, r.paid_at, name(r.paid_by_id), paid_on=r.paid_on))
    return tuple(sorted(steps, key=lambda s: s.at))


def _basis(
    session: Session, program: Program, municipality: Municipality, period: Period, today: date
) -> Basis:
    standing = queries.standing(session, municipality.id)
    current = next((r for r in standing if r.period_first == period.first), None)
    sent_back = queries.returned(session, municipality.id, period.first)
    returns = tuple((r.returned_at, r.return_reason) for r in sent_back if r.returned_at)
    story = _story(session, sent_back + ([current] if current is not None else []))
    rate, confirmed = _rate(program, period)
    if current is None:
        if not period.started_on(today):
            raise RuleViolation(
                N_("The period %(first)s – %(last)s has not started yet."),
                field="period",
                first=period.first,
                last=period.last,
            )
        earlier = [r for r in standing if r.period_first < period.first]
        return Basis(
            municipality_id=municipality.id,
            header=_header(program, municipality),
            period=period,
            state=State.RETURNED if returns else State.DRAFT,
            daily_rate=rate,
            rate_confirmed=confirmed,
            lines=tuple(_live_lines(session, program, municipality.id, period)),
            corrections=tuple(_corrections(session, program, municipality.id, period, earlier)),
            running=not period.ended_on(today),
            returns=returns,
            story=story,
        )
    placements, corrections = queries.lines_of(current)
    return Basis(
        municipality_id=municipality.id,
        header=Header(
            program=program.name,
            association=program.association,
            municipality=current.municipality_name,
            municipality_code=current.municipality_code,
            reference=current.reference,
            account=current.account,
        ),
        period=period,
        state=State(current.state),
        daily_rate=Money(current.daily_rate_ore),
        # Attestation waits for the year's confirmed rate, whatever the frozen basis says.
        rate_confirmed=confirmed,
        lines=tuple(_frozen(line) for line in placements),
        corrections=tuple(_frozen_correction(line) for line in corrections),
        requisition_id=current.id,
        submitted_at=current.submitted_at,
        attested_at=current.attested_at,
        paid_on=current.paid_on,
        returns=returns,
        story=story,
    )


def _check_sees(actor: Actor | None, municipality_id: int) -> None:
    # None: the operator on the command line, who sees every basis.
    if actor is not None:
        rules.check_sees(actor, municipality_id)


def basis(
    session: Session, *, actor: Actor | None, municipality_id: int, period: Period, today: date
) -> Basis:
    """One municipality's basis for one period, as the actor may see it (None: the
    operator on the command line)."""
    _check_sees(actor, municipality_id)
    program = current_program(session)
    return _basis(session, program, _municipality(session, municipality_id), period, today)


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
    municipality = _municipality(session, municipality_id)
    today = local_date(now)
    found = _basis(session, program, municipality, period, today)
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
        lines=[
            RequisitionLine(
                reference_code=line.reference_code,
                first_day=line.first_day,
                last_day=line.last_day,
                days=line.days,
                daily_rate_ore=line.daily_rate.ore,
                amount_ore=line.amount.ore,
            )
            for line in found.lines
        ]
        + [
            RequisitionLine(
                reference_code=c.reference_code,
                days=c.days,
                daily_rate_ore=_rate(program, c.period)[0].ore,
                amount_ore=c.amount.ore,
                corrects_first=c.period.first,
                corrects_last=c.period.last,
                claimed_days=c.claimed_days,
                correction_kind=c.kind.value,
            )
            for c in found.corrections
        ],
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # submitted at the same moment by someone else
        raise rules.refusal(found, Action.SUBMIT, today) or RuleViolation(
            N_(
                "The requisition basis for %(first)s – %(last)s has already been submitted; a "
                "period can be submitted once."
            ),
            first=period.first,
            last=period.last,
        ) from None
    _record(session, EventKind.REQUISITION_SUBMITTED, actor, row, now, total_ore=row.total_ore)
    return row


def _record(
    session: Session,
    kind: EventKind,
    actor: Actor,
    row: Requisition,
    now: datetime,
    **details: Any,
) -> None:
    history.record(
        session,
        kind=kind,
        at=now,
        actor=actor,
        municipality_id=row.municipality_id,
        requisition_id=row.id,
        period_first=row.period_first,
        period_last=row.period_last,
        **details,
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
    found = _basis(session, program, _municipality(session, municipality_id), period, today)
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
    _record(session, EventKind.REQUISITION_ATTESTED, actor, row, now, total_ore=row.total_ore)


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
    _record(session, EventKind.REQUISITION_RETURNED, actor, row, now)


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
    _record(session, EventKind.REQUISITION_PAID, actor, row, now, paid_on=row.paid_on)
