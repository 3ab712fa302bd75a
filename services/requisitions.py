"""Use cases of the requisition flow (domain.requisition): a municipality's basis for one
period (live while a draft, frozen once submitted, with corrections of earlier periods),
submit, attest or return, mark paid; the list of bases and the accruals.

Corrections come from recomputing a submitted period against what was frozen, never from a
particular kind of change: whatever moved a placement's dates (an early end, an extension, a
corrected start), the difference shows on the municipality's next open basis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypedDict

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import requisition as rules
from domain.access import Actor
from domain.clock import local_date
from domain.errors import NotFound, RuleViolation
from domain.figures import Tally
from domain.money import Money
from domain.program import Program
from domain.requisition import (
    Accrual,
    Action,
    Basis,
    Correction,
    Header,
    Line,
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
from storage import figures
from storage import requisition_queries as queries
from storage.models import Municipality, Requisition, RequisitionLine


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
            current = now.get(code, 0)
            claimed_days, claimed_ore = claimed.get(code, (0, 0))
            amount = rate * current - Money(claimed_ore)
            if current != claimed_days or amount.ore != 0:
                found.append(Correction(code, earlier_period, claimed_days, current, amount))
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


def _basis(
    session: Session, program: Program, municipality: Municipality, period: Period, today: date
) -> Basis:
    standing = queries.standing(session, municipality.id)
    current = next((r for r in standing if r.period_first == period.first), None)
    returns = tuple(
        (r.returned_at, r.return_reason)
        for r in queries.returned(session, municipality.id, period.first)
        if r.returned_at is not None
    )
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
            state=State.DRAFT,
            daily_rate=rate,
            rate_confirmed=confirmed,
            lines=tuple(_live_lines(session, program, municipality.id, period)),
            corrections=tuple(_corrections(session, program, municipality.id, period, earlier)),
            running=not period.ended_on(today),
            returns=returns,
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
    history.record(
        session, RequisitionSubmitted(**_about(row), total_ore=row.total_ore), at=now, actor=actor
    )
    return row


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
) -> tuple[Program, Basis, Requisition]:
    rules.check_sees(actor, municipality_id)
    program = current_program(session)
    found = _basis(session, program, _municipality(session, municipality_id), period, today)
    rules.check(actor, found, action, today)
    return program, found, _standing_row(session, requisition_id, found)


def attest(
    session: Session,
    *,
    actor: Actor,
    municipality_id: int,
    period: Period,
    requisition_id: int | None,
    now: datetime,
) -> None:
    program, found, row = _act(
        session,
        actor=actor,
        municipality_id=municipality_id,
        period=period,
        requisition_id=requisition_id,
        action=Action.ATTEST,
        today=local_date(now),
    )
    rules.check_rate_is_the_confirmed(found.daily_rate, _rate(program, period)[0], period.year)
    row.state = State.ATTESTED
    row.attested_at = now
    row.attested_by_id = actor.user_id
    row.rate_confirmed = True
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
    _program, _found, row = _act(
        session,
        actor=actor,
        municipality_id=municipality_id,
        period=period,
        requisition_id=requisition_id,
        action=Action.RETURN,
        today=local_date(now),
    )
    row.return_reason = rules.checked_reason(reason)
    row.state = State.RETURNED
    row.returned_at = now
    row.returned_by_id = actor.user_id
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
    today = local_date(now)
    _program, _found, row = _act(
        session,
        actor=actor,
        municipality_id=municipality_id,
        period=period,
        requisition_id=requisition_id,
        action=Action.MARK_PAID,
        today=today,
    )
    assert row.attested_at is not None  # an attested basis has its moment
    row.paid_on = rules.check_payment_date(paid_on, local_date(row.attested_at), today)
    row.state = State.PAID
    row.paid_at = now
    row.paid_by_id = actor.user_id
    history.record(
        session, RequisitionPaid(**_about(row), paid_on=row.paid_on), at=now, actor=actor
    )


# ---- lists, accruals and the digest: totals from the kept figures ----------------------


@dataclass(frozen=True)
class Summary:
    """One municipality's basis for one period, in a list: its state and total."""

    municipality_id: int
    municipality: str
    municipality_code: str
    period: Period
    state: State
    days: int | None  # live days of a draft (None for a submitted basis: see its total)
    total: Money
    rate_confirmed: bool
    running: bool


def _live_totals(
    session: Session,
    program: Program,
    periods: Iterable[Period],
    municipality_ids: Iterable[int] | None = None,
) -> dict[tuple[int, date], int]:
    """(municipality id, period's first day) -> compensable days in the period, for every
    municipality (or those given): from the kept running totals, two rows per municipality
    and period."""
    periods = list(periods)
    days = {p.first - timedelta(days=1) for p in periods} | {p.last for p in periods}
    tallies = figures.tallies_by_municipality(
        session, days, first=program.start, last=program.end, municipality_ids=municipality_ids
    )
    return {
        (municipality_id, p.first): _days(by_day, p)
        for municipality_id, by_day in tallies.items()
        for p in periods
    }


def _days(by_day: dict[date, Tally], period: Period) -> int:
    return by_day[period.last].accrued_days - by_day[period.first - timedelta(days=1)].accrued_days


def summaries(
    session: Session,
    *,
    actor: Actor | None,
    periods: list[Period],
    today: date,
    municipality_id: int | None = None,
    municipality_ids: set[int] | None = None,
) -> list[Summary]:
    """The bases of `periods` for every municipality the actor may see (or one, or those
    given): state and total, a fixed number of queries however many placements there are.
    A draft's total is its placement days × rate; corrections show on the basis itself."""
    program = current_program(session)
    periods = [p for p in periods if p.started_on(today)]
    if municipality_id is not None:
        municipality_ids = {municipality_id}
    live = _live_totals(session, program, periods, municipality_ids)
    kept = queries.standing_periods(session)
    found = []
    for m in queries.municipalities(session):
        if municipality_ids is not None and m.id not in municipality_ids:
            continue
        if actor and not rules.can_see(actor, m.id):
            continue
        for p in periods:
            rate, confirmed = _rate(program, p)
            row = kept.get((m.id, p.first))
            if row is None:
                days = live.get((m.id, p.first), 0)
                found.append(
                    Summary(
                        m.id,
                        m.name,
                        m.code,
                        p,
                        State.DRAFT,
                        days,
                        rate * days,
                        confirmed,
                        not p.ended_on(today),
                    )
                )
            else:
                found.append(
                    Summary(
                        m.id,
                        m.name,
                        m.code,
                        p,
                        State(row.state),
                        None,
                        Money(row.total_ore),
                        confirmed,
                        False,
                    )
                )
    return found


def accruals(session: Session, *, actor: Actor | None, on: date, today: date) -> list[Accrual]:
    """Every period ended by `on` that is not submitted, or submitted but not attested, per
    municipality, with its amount: what the association books as accrued costs on `on`.
    (A draft's amount is its placement days × rate; its corrections show on the basis.)"""
    if actor is not None:
        rules.check_sees_accruals(actor)
    program = current_program(session)
    periods = rules.periods_ended_by(program, on)
    return [
        Accrual(
            s.municipality_id,
            s.municipality,
            s.municipality_code,
            s.period,
            s.state,
            s.total,
            s.rate_confirmed,
        )
        for s in summaries(session, actor=actor, periods=periods, today=today)
        if s.state in (State.DRAFT, State.SUBMITTED) and s.total.ore != 0
    ]


def period_states(
    session: Session, *, actor: Actor | None, period: Period
) -> list[tuple[int, str, State]]:
    """(municipality id, name, state) of one period's basis for every municipality the actor
    may see, by name: what a list filters and pages by, before any figure is read."""
    kept = queries.standing_periods(session)
    return [
        (
            m.id,
            m.name,
            State(kept[(m.id, period.first)].state)
            if (m.id, period.first) in kept
            else State.DRAFT,
        )
        for m in queries.municipalities(session)
        if actor is None or rules.can_see(actor, m.id)
    ]


@dataclass(frozen=True)
class Outstanding:
    """For the daily digest: bases waiting for attestation, and ended periods not submitted."""

    waiting: tuple[tuple[int, str, Period], ...]  # municipality id, name, period
    unsubmitted: dict[int, tuple[Period, ...]]  # municipality id -> its ended periods


def outstanding(session: Session, *, program: Program, today: date) -> Outstanding:
    waiting = tuple(
        (row.municipality_id, row.municipality_name, Period(row.period_first, row.period_last))
        for row in queries.waiting_for_attestation(session)
    )
    ended = rules.periods_ended_by(program, today - timedelta(days=1))
    kept = queries.standing_periods(session)
    live = _live_totals(session, program, ended)
    unsubmitted: dict[int, tuple[Period, ...]] = {}
    for m in queries.municipalities(session):
        mine = tuple(
            p for p in ended if (m.id, p.first) not in kept and live.get((m.id, p.first), 0) > 0
        )
        if mine:
            unsubmitted[m.id] = mine
    return Outstanding(waiting, unsubmitted)
