"""Requisition bases in lists (domain.requisition): every municipality's basis for every
period, with its state, days and amount; the work each one waits for (domain.deadlines,
one rule for the worklists, the menu count, the Home tab and the digest); the accruals.

Totals come from the kept figures and the stored bases: a fixed number of queries however
many placements there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy.orm import Session

from domain import requisition as rules
from domain.access import Actor
from domain.clock import local_date
from domain.deadlines import Task, requisition_due, requisition_task
from domain.money import Money
from domain.program import Program
from domain.requisition import Accrual, Period, State
from services.program_setup import current_program
from services.requisition_basis import kept_days, rate_of
from storage import requisition_queries as queries


@dataclass(frozen=True)
class Summary:
    """One municipality's basis for one period, in a list: its state, days and total, and
    since when it stands so (submitted, returned, attested, paid), with the return's reason."""

    municipality_id: int
    municipality: str
    municipality_code: str
    period: Period
    state: State
    days: int
    total: Money
    rate_confirmed: bool
    running: bool
    since: datetime | None = None
    reason: str | None = None


def _kept(row: Any) -> datetime | None:
    """Since when a standing basis stands as it does."""
    state = State(row.state)
    if state is State.PAID:
        return cast(datetime | None, row.paid_at)
    if state is State.ATTESTED:
        return cast(datetime | None, row.attested_at)
    return cast(datetime | None, row.submitted_at)


def summaries(
    session: Session,
    *,
    actor: Actor | None,
    periods: list[Period],
    today: date,
    municipality_id: int | None = None,
    municipality_ids: set[int] | None = None,
    drafts: bool = True,
) -> list[Summary]:
    """The bases of `periods` for every municipality the actor may see (or one, or those
    given), by municipality and period. A draft's total is its placement days × rate;
    corrections show on the basis itself. Without `drafts`, only the bases someone has
    acted on (stored or returned): the days of the rest are not read."""
    program = current_program(session)
    periods = [p for p in periods if p.started_on(today)]
    if municipality_id is not None:
        municipality_ids = {municipality_id}
    live = kept_days(session, program, periods, municipality_ids) if drafts else {}
    kept = queries.standing_periods(session, municipality_ids)
    returns = queries.latest_returns(session, municipality_ids)
    found = []
    rates = {p.first: rate_of(program, p) for p in periods}  # once a period, not a basis
    # Without drafts, only the periods someone acted on, per municipality: not a look-up for
    # each of 290 municipalities' every period (7 000 at national scale, most of them none).
    acted: dict[int, set[date]] = {}
    for municipality, first in (*kept, *returns):
        acted.setdefault(municipality, set()).add(first)
    for m in queries.municipalities(session, municipality_ids):
        if actor and not rules.can_see(actor, m.id):
            continue
        if not drafts and m.id not in acted:
            continue
        for p in periods:
            if not drafts and p.first not in acted[m.id]:
                continue
            rate, confirmed = rates[p.first]
            row = kept.get((m.id, p.first))
            if row is not None:
                found.append(
                    Summary(
                        m.id, m.name, m.code, p, State(row.state), row.days,
                        Money(row.total_ore), confirmed, False, _kept(row),
                    )
                )  # fmt: skip
                continue
            back = returns.get((m.id, p.first))
            if back is None and not drafts:
                continue
            days = live.get((m.id, p.first), 0)
            found.append(
                Summary(
                    m.id, m.name, m.code, p, State.RETURNED if back else State.DRAFT, days,
                    rate * days, confirmed, not p.ended_on(today),
                    back.returned_at if back else None, back.return_reason if back else None,
                )
            )  # fmt: skip
    return found


@dataclass(frozen=True)
class Waiting:
    """A basis that waits for someone: the kind of work, and when it is due (an unsubmitted
    period) or since when it waits (the others)."""

    task: Task
    basis: Summary
    on: date
    late: bool


def work(
    session: Session,
    *,
    today: date,
    municipality_id: int | None = None,
    tasks: Iterable[Task] | None = None,
) -> list[Waiting]:
    """Every basis that waits for someone's move (domain.deadlines.requisition_task), oldest
    period first: for every municipality, or one; for every kind of work, or those given."""
    program = current_program(session)
    wanted = set(tasks) if tasks is not None else None
    ended = rules.periods_ended_by(program, today - timedelta(days=1))
    # Only a draft waits to be submitted: the coordinator's and the association's work
    # (attest, pay) never needs the days of every municipality's every draft.
    drafts = wanted is None or Task.SUBMIT_REQUISITION in wanted
    stored = _stored_states(wanted)
    bases = (
        _standing(session, program, ended, stored, municipality_id)
        if stored is not None
        else summaries(session, actor=None, periods=ended, today=today,
                       municipality_id=municipality_id, drafts=drafts)
    )  # fmt: skip
    found = []
    for s in bases:
        task = requisition_task(s.state, ended=s.period.ended_on(today), days=s.days)
        if task is None or (wanted is not None and task not in wanted):
            continue
        if task is Task.SUBMIT_REQUISITION:
            on = requisition_due(s.period.last, program.requisition_due_working_days)
            found.append(Waiting(task, s, on, on < today))
        else:
            assert s.since is not None  # every stored step has its moment
            found.append(Waiting(task, s, local_date(s.since), False))
    found.sort(key=lambda w: (w.basis.period.first, w.basis.municipality, w.task.value))
    return found


def _stored_states(tasks: set[Task] | None) -> set[State] | None:
    """The states of the bases that wait for one of `tasks` (domain.deadlines.requisition_task),
    when all of them are stored and standing (submitted, attested, paid): those bases are read
    by state. None when a draft or a returned basis may wait for one (or for any task)."""
    if tasks is None:
        return None
    states = {
        state
        for state in State
        for ended in (False, True)
        for days in (0, 1)
        if requisition_task(state, ended=ended, days=days) in tasks
    }
    return None if states & {State.DRAFT, State.RETURNED} else states


def _standing(
    session: Session,
    program: Program,
    periods: list[Period],
    states: set[State],
    municipality_id: int | None,
) -> list[Summary]:
    """The standing bases in `states` of `periods` (all ended), as `summaries` lists them:
    the attester's and the payer's work, read by state, not by every municipality's every
    period."""
    by_first = {p.first: p for p in periods}
    found = []
    for row in queries.standing_in(session, states, municipality_id) if states else ():
        period = by_first.get(row.period_first)
        if period is None:
            continue
        _rate, confirmed = rate_of(program, period)
        found.append(
            Summary(
                row.municipality_id, row.municipality, row.municipality_code, period,
                State(row.state), row.days, Money(row.total_ore), confirmed, False, _kept(row),
            )
        )  # fmt: skip
    return found


def listing(
    session: Session,
    *,
    actor: Actor,
    today: date,
    states: set[State] | None = None,
    tasks: set[Task] | None = None,
    municipality_id: int | None = None,
    year: int | None = None,
) -> list[Summary]:
    """`/rekvisitioner` across periods: every basis the actor may see of the periods begun,
    newest period first, in the states asked for (None: all), or those waiting for one of
    `tasks` (the viewer's own work), of one municipality and year if asked."""
    program = current_program(session)
    periods = [
        p
        for p in rules.program_periods(program)
        if p.started_on(today) and (year is None or p.year == year)
    ]
    found = [
        s
        for s in summaries(
            session,
            actor=actor,
            periods=periods,
            today=today,
            municipality_id=municipality_id,
            drafts=_shows_live_days(states, tasks),
        )
        if (states is None or s.state in states)
        and (
            tasks is None
            or requisition_task(s.state, ended=s.period.ended_on(today), days=s.days) in tasks
        )
    ]
    found.sort(key=lambda s: (-s.period.first.toordinal(), s.municipality))
    return found


def _shows_live_days(states: set[State] | None, tasks: set[Task] | None) -> bool:
    """Whether a list of these states and tasks can show a basis not stored (a draft, or one
    returned): only those have days counted live, the rest come with the stored bases. The
    coordinator's own list (bases to attest) then reads no municipality's running totals."""
    live = {State.DRAFT, State.RETURNED}
    if states is not None:
        live &= states
    if tasks is None:
        return bool(live)
    return any(
        requisition_task(state, ended=ended, days=days) in tasks
        for state in live
        for ended in (False, True)
        for days in (0, 1)
    )


# What the association books as accrued: earned, not yet paid.
UNPAID = (State.DRAFT, State.RETURNED, State.SUBMITTED, State.ATTESTED)


def accruals(session: Session, *, actor: Actor | None, on: date, today: date) -> list[Accrual]:
    """Every period ended by `on` that is not paid — not submitted, returned, submitted but
    not attested, or attested but not paid — per municipality, with its state and amount:
    what the association books as accrued costs on `on`. (A draft's amount is its placement
    days × rate; its corrections show on the basis.)"""
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
        if s.state in UNPAID and s.total.ore != 0
    ]
