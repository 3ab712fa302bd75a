"""Reading a requisition basis (domain.requisition): one municipality's period, live while a
draft, frozen once submitted, with the corrections of earlier periods it carries and the
story of every step (who, when, why). The flow that changes it: services.requisitions.

Corrections come from recomputing a submitted period against what was frozen, never from a
particular kind of change: whatever moved a placement's dates (an early end, an extension, a
corrected start) or the year's rate, the difference shows on the municipality's next open
basis (domain.requisition.corrections_for).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from domain import requisition as rules
from domain.access import Actor
from domain.budget import BudgetWindow, within_program
from domain.errors import NotFound, RuleViolation
from domain.money import Money
from domain.program import Program
from domain.requisition import (
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
from services.kept_answers import kept
from services.program_setup import current_program
from storage import figures
from storage import requisition_queries as queries
from storage.models import Municipality, Requisition, RequisitionLine, User


def municipality_of(session: Session, municipality_id: int) -> Municipality:
    found = session.get(Municipality, municipality_id)
    if found is None:
        raise NotFound(N_("There is no such requisition basis."))
    return found


def _inside(program: Program, period: Period) -> tuple[date, date]:
    window = within_program(program, period.first, period.last)
    return window.first, window.last


def rate_of(program: Program, period: Period) -> tuple[Money, bool]:
    year = program.year(period.year)
    return year.daily_rate, year.rate_confirmed


def kept_days(
    session: Session,
    program: Program,
    periods: Iterable[Period],
    municipality_ids: Iterable[int] | None = None,
) -> dict[tuple[int, date], int]:
    """(municipality id, period's first day) -> compensable days in the period, for every
    municipality (or those given): from the kept running totals, two rows per municipality
    and period."""
    windows = [(p.first, BudgetWindow(p.first, p.last)) for p in periods]  # built once each
    days = {day for _first, window in windows for day in window.days()}
    accrued = figures.accrued_by_municipality(
        session, days, first=program.start, last=program.end, municipality_ids=municipality_ids
    )
    return {
        (municipality_id, first): window.committed_of(by_day)
        for municipality_id, by_day in accrued.items()
        for first, window in windows
    }


def _live_lines(
    session: Session, program: Program, municipality_id: int, period: Period
) -> list[Line]:
    """A period's lines from the placements started since the earliest start that can have
    days in it (by index, however long the history). Should their days not add up to the
    kept figures' (a placement longer than the rules allow, entered by other means), from
    every placement of the municipality: a basis is money, and never misses a line."""
    first, last = _inside(program, period)
    rate, _confirmed = rate_of(program, period)
    since = rules.earliest_start(program, first)
    rows = queries.live_lines(session, municipality_id, first, last, since)
    kept = kept_days(session, program, [period], [municipality_id])
    if sum(int(row.days) for row in rows) != kept.get((municipality_id, period.first), 0):
        rows = queries.live_lines(session, municipality_id, first, last)
    return [Line(row.reference_code, row.first_day, row.last_day, int(row.days), rate)
            for row in rows]  # fmt: skip


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
        rate, _confirmed = rate_of(program, earlier_period)
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


def read_basis(
    session: Session, program: Program, municipality: Municipality, period: Period, today: date
) -> Basis:
    standing = queries.standing(session, municipality.id)
    current = next((r for r in standing if r.period_first == period.first), None)
    sent_back = queries.returned(session, municipality.id, period.first)
    returns = tuple((r.returned_at, r.return_reason) for r in sent_back if r.returned_at)
    story = _story(session, sent_back + ([current] if current is not None else []))
    rate, confirmed = rate_of(program, period)
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
        year_rate=rate if rate.ore != current.daily_rate_ore else None,
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

    def work() -> Basis:
        program = current_program(session)
        municipality = municipality_of(session, municipality_id)
        return read_basis(session, program, municipality, period, today)

    # The same for everyone who may see it: kept while the database reads the same.
    return kept(session, "requisition basis", (municipality_id, period, today), work)
