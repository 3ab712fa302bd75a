"""Requisition bases in the database: a period's lines computed from the compensable-day
index (one query, each line's days as two index look-ups, its first and last compensable
day as two short index scans), and the submitted bases with their frozen lines.

Days are the budget's days (storage.queries.compensable_days_by_municipality): a placement
counts from its start to its actual end, or its planned end, and not when it ends before
it starts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Date, bindparam, case, func, select
from sqlalchemy.orm import Session, aliased

from domain.requisition import State
from storage.models import (
    CompensableDayRow,
    Municipality,
    Placement,
    Referral,
    Requisition,
    RequisitionLine,
)


def _later(column: Any, bound: Any) -> Any:
    return case((column > bound, column), else_=bound)


def _earlier(column: Any, bound: Any) -> Any:
    return case((column < bound, column), else_=bound)


def _lines_query() -> Any:
    first = bindparam("first", type_=Date)
    last = bindparam("last", type_=Date)
    end = func.coalesce(Placement.ended_on, Placement.planned_end_on)
    window_start = _later(Placement.started_on, first)
    window_end = _earlier(end, last)
    start_day = aliased(CompensableDayRow)
    end_day = aliased(CompensableDayRow)
    index = aliased(CompensableDayRow)
    first_day = (
        select(func.min(index.day))
        .where(index.day >= window_start, index.through > start_day.before)
        .scalar_subquery()
    )
    last_day = (
        select(func.max(index.day))
        .where(index.day <= window_end, index.before < end_day.through)
        .scalar_subquery()
    )
    days = end_day.through - start_day.before
    return (
        select(
            Placement.municipality_id,
            Referral.reference_code,
            first_day.label("first_day"),
            last_day.label("last_day"),
            days.label("days"),
        )
        .join(Referral, Referral.id == Placement.referral_id)
        .join(start_day, start_day.day == window_start)
        .join(end_day, end_day.day == window_end)
        .where(
            Placement.started_on.is_not(None),
            Placement.started_on <= last,
            end >= first,
            end >= Placement.started_on,
            days > 0,
        )
        .order_by(Referral.reference_code)
    )


_LINES = _lines_query()


_OF_MUNICIPALITY = _LINES.where(Placement.municipality_id == bindparam("municipality_id"))
# Only the placements started from `since` to `last`: one look-up per day of that window
# in the (started_on, municipality_id) index, however long the municipality's history.
_STARTED_SINCE = _OF_MUNICIPALITY.where(
    Placement.started_on.in_(
        select(CompensableDayRow.day).where(
            CompensableDayRow.day >= bindparam("since", type_=Date),
            CompensableDayRow.day <= bindparam("last", type_=Date),
        )
    )
)


def live_lines(
    session: Session, municipality_id: int, first: date, last: date, since: date | None = None
) -> list[Any]:
    """(municipality_id, reference_code, first_day, last_day, days) of every placement of
    the municipality with compensable days in [first, last] (inside the program): of those
    started on a program day from `since` (by the index), or of every one of them."""
    params = {"municipality_id": municipality_id, "first": first, "last": last}
    if since is None:
        return list(session.execute(_OF_MUNICIPALITY, params).all())
    return list(session.execute(_STARTED_SINCE, {**params, "since": since}).all())


_MUNICIPALITIES = select(Municipality.id, Municipality.name, Municipality.code).order_by(
    Municipality.name
)
_MUNICIPALITIES_IN = _MUNICIPALITIES.where(Municipality.id.in_(bindparam("ids", expanding=True)))


def municipalities(session: Session, ids: Iterable[int] | None = None) -> list[Any]:
    """(id, name, code) of every municipality (or those of `ids`), by name."""
    if ids is None:
        return list(session.execute(_MUNICIPALITIES).all())
    return list(session.execute(_MUNICIPALITIES_IN, {"ids": list(ids)}).all())


def standing(session: Session, municipality_id: int | None = None) -> list[Requisition]:
    """Submitted, attested and paid bases (not those returned), by municipality and period."""
    query = select(Requisition).where(Requisition.state != State.RETURNED)
    if municipality_id is not None:
        query = query.where(Requisition.municipality_id == municipality_id)
    return list(
        session.scalars(query.order_by(Requisition.municipality_id, Requisition.period_first))
    )


def returned(session: Session, municipality_id: int, first: date) -> list[Requisition]:
    query = select(Requisition).where(
        Requisition.state == State.RETURNED,
        Requisition.municipality_id == municipality_id,
        Requisition.period_first == first,
    )
    return list(session.scalars(query.order_by(Requisition.returned_at)))


def claimed_corrections(
    session: Session, requisition_ids: Iterable[int], corrects_first: date
) -> dict[str, tuple[int, int]]:
    """reference code -> (days, öre) already carried as corrections of the period starting
    on `corrects_first`, by the given (standing) bases."""
    ids = list(requisition_ids)
    if not ids:
        return {}
    query = (
        select(
            RequisitionLine.reference_code,
            func.sum(RequisitionLine.days),
            func.sum(RequisitionLine.amount_ore),
        )
        .where(
            RequisitionLine.requisition_id.in_(ids),
            RequisitionLine.corrects_first == corrects_first,
        )
        .group_by(RequisitionLine.reference_code)
    )
    return {code: (int(days), int(ore)) for code, days, ore in session.execute(query)}


def waiting_for_attestation(session: Session) -> list[Any]:
    """(municipality_id, municipality_name, period_first, period_last) of every submitted
    basis, oldest period first."""
    query = (
        select(
            Requisition.municipality_id,
            Requisition.municipality_name,
            Requisition.period_first,
            Requisition.period_last,
        )
        .where(Requisition.state == State.SUBMITTED)
        .order_by(Requisition.period_first, Requisition.municipality_name)
    )
    return list(session.execute(query).all())


def standing_periods(
    session: Session, ids: Iterable[int] | None = None
) -> dict[tuple[int, date], Any]:
    """(municipality id, period's first day) -> (state, days, total öre, when submitted,
    attested and paid) of every standing basis (of the municipalities of `ids`, if given):
    what lists, worklists and accruals need, in one query."""
    query = select(
        Requisition.municipality_id,
        Requisition.period_first,
        Requisition.state,
        Requisition.days,
        Requisition.total_ore,
        Requisition.rate_confirmed,
        Requisition.id,
        Requisition.submitted_at,
        Requisition.attested_at,
        Requisition.paid_at,
    ).where(Requisition.state != State.RETURNED)
    if ids is not None:
        query = query.where(Requisition.municipality_id.in_(list(ids)))
    return {(row[0], row[1]): row for row in session.execute(query).all()}


def _standing_in() -> Any:
    query = (
        select(
            Requisition.municipality_id,
            Municipality.name.label("municipality"),
            Municipality.code.label("municipality_code"),
            Requisition.period_first,
            Requisition.state,
            Requisition.days,
            Requisition.total_ore,
            Requisition.submitted_at,
            Requisition.attested_at,
            Requisition.paid_at,
        )
        .join(Municipality, Municipality.id == Requisition.municipality_id)
        .where(Requisition.state.in_(bindparam("states", expanding=True)))
    )
    return query.order_by(Municipality.name, Requisition.period_first)


_STANDING_IN = _standing_in()
_STANDING_IN_ONE = _STANDING_IN.where(Requisition.municipality_id == bindparam("municipality_id"))


def standing_in(
    session: Session, states: Iterable[State], municipality_id: int | None = None
) -> list[Any]:
    """(municipality_id, municipality, municipality_code, period_first, state, days, total
    öre, when submitted, attested and paid) of the standing bases in `states` (not
    returned), of every municipality (or one), by municipality name and period: the few a
    worklist shows, without every municipality's every period."""
    params: dict[str, Any] = {"states": [s for s in states if s is not State.RETURNED]}
    if municipality_id is None:
        return list(session.execute(_STANDING_IN, params).all())
    return list(
        session.execute(_STANDING_IN_ONE, {**params, "municipality_id": municipality_id}).all()
    )


def latest_returns(
    session: Session, ids: Iterable[int] | None = None
) -> dict[tuple[int, date], Any]:
    """(municipality id, period's first day) -> (returned_at, return_reason) of the latest
    basis sent back for each period (of the municipalities of `ids`, if given): a period
    without a standing basis is returned while it has one."""
    query = select(
        Requisition.municipality_id,
        Requisition.period_first,
        Requisition.returned_at,
        Requisition.return_reason,
    ).where(Requisition.state == State.RETURNED)
    if ids is not None:
        query = query.where(Requisition.municipality_id.in_(list(ids)))
    found: dict[tuple[int, date], Any] = {}
    for row in session.execute(query.order_by(Requisition.returned_at)):
        found[(row.municipality_id, row.period_first)] = row
    return found


def lines_of(requisition: Requisition) -> tuple[list[RequisitionLine], list[RequisitionLine]]:
    """A submitted basis's frozen placement lines and correction lines."""
    placements = [line for line in requisition.lines if line.corrects_first is None]
    corrections = [line for line in requisition.lines if line.corrects_first is not None]
    return placements, corrections
