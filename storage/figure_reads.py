"""Reading the maintained figures (storage.figures): running totals per day, for all
municipalities or per municipality, and the used places."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, String, bindparam, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from domain.figures import COUNTERS, ZERO, Tally, accrued
from storage.models import CompensableDayRow, DayFigure, DayFigureTotal, Municipality, PlaceCount


def _clamped(days: Iterable[date], first: date, last: date) -> dict[date, date | None]:
    """Each asked day -> the program day whose totals answer it (None: before the program)."""
    return {day: (None if day < first else min(day, last)) for day in days}


def _tally(values: Any) -> Tally:
    """The counters and the day index, in the order of Tally's fields (as selected below):
    integer columns, read as ints on both databases."""
    return Tally(*values)


_TOTAL, _DAY, _INDEX = DayFigureTotal.__table__, DayFigure.__table__, CompensableDayRow.__table__
# Built once (statements cost more to build than to run on these small answers).
_TALLIES = (
    select(_TOTAL.c.day, *(_TOTAL.c[n] for n in COUNTERS), _INDEX.c.through)
    .join(_INDEX, _INDEX.c.day == _TOTAL.c.day)
    .where(_TOTAL.c.day.in_(bindparam("days", expanding=True)))
)
_TALLIES_BY_MUNICIPALITY = (
    select(_DAY.c.municipality_id, _DAY.c.day, *(_DAY.c[n] for n in COUNTERS), _INDEX.c.through)
    .join(_INDEX, _INDEX.c.day == _DAY.c.day)
    .where(_DAY.c.day.in_(bindparam("days", expanding=True)))
)
_TALLIES_OF_MUNICIPALITIES = _TALLIES_BY_MUNICIPALITY.where(
    _DAY.c.municipality_id.in_(bindparam("ids", expanding=True))
)
# Each municipality's accrued days alone (domain.figures.accrued), computed in the query: the
# requisition bases and the budget's lines read one number a day, not fifteen.
_ACCRUED_BY_MUNICIPALITY = (
    select(
        _DAY.c.municipality_id,
        _DAY.c.day,
        accrued(
            _DAY.c.through_sum,
            cast(_INDEX.c.through, BigInteger),  # its product with a count may outgrow 32 bits
            _DAY.c.running_from,
            _DAY.c.running_to,
            _DAY.c.before_sum,
        ),
    )
    .join(_INDEX, _INDEX.c.day == _DAY.c.day)
    .where(_DAY.c.day.in_(bindparam("days", expanding=True)))
)
_ACCRUED_OF_MUNICIPALITIES = _ACCRUED_BY_MUNICIPALITY.where(
    _DAY.c.municipality_id.in_(bindparam("ids", expanding=True))
)
_M, _PLACES = Municipality.__table__, PlaceCount.__table__
_USED_PLACES = (
    select(
        _M.c.id,
        _M.c.name,
        _M.c.capacity,
        _M.c.intake_state,
        func.coalesce(_PLACES.c.accepted, 0).label("accepted"),
        func.coalesce(_PLACES.c.started, 0).label("started"),
    )
    .outerjoin(_PLACES, _PLACES.c.municipality_id == _M.c.id)
    .order_by(_M.c.name)
)


def tallies(
    session: Session, days: Iterable[date], *, first: date, last: date
) -> dict[date, Tally]:
    """All municipalities' running totals at the end of each day (one small query)."""
    asked = _clamped(days, first, last)
    wanted = sorted({d for d in asked.values() if d is not None})
    found: dict[date, Tally] = {}
    if wanted:
        found = {row[0]: _tally(row[1:]) for row in session.execute(_TALLIES, {"days": wanted})}
    return {day: found.get(at, ZERO) if at else ZERO for day, at in asked.items()}


def tallies_by_municipality(
    session: Session,
    days: Iterable[date],
    *,
    first: date,
    last: date,
    municipality_ids: Iterable[int] | None = None,
) -> dict[int, dict[date, Tally]]:
    """Each municipality's running totals at the end of each day (one query, O(municipalities
    × days asked) rows), for every municipality or the ones given."""
    queries = (_TALLIES_BY_MUNICIPALITY, _TALLIES_OF_MUNICIPALITIES)
    asked, rows = _by_municipality(session, queries, days, first, last, municipality_ids)
    found: dict[int, dict[date, Tally]] = {}
    for row in rows:
        found.setdefault(row[0], {})[row[1]] = _tally(row[2:])
    return {
        municipality_id: {day: by_day.get(at, ZERO) if at else ZERO for day, at in asked.items()}
        for municipality_id, by_day in found.items()
    }


def accrued_by_municipality(
    session: Session,
    days: Iterable[date],
    *,
    first: date,
    last: date,
    municipality_ids: Iterable[int] | None = None,
) -> dict[int, dict[date, int]]:
    """Each municipality's accrued days (Tally.accrued_days) at the end of each day, as
    `tallies_by_municipality` reads its totals, one number a row."""
    queries = (_ACCRUED_BY_MUNICIPALITY, _ACCRUED_OF_MUNICIPALITIES)
    asked, rows = _by_municipality(session, queries, days, first, last, municipality_ids)
    found: dict[int, dict[date, int]] = {}
    for municipality_id, day, days_accrued in rows:
        found.setdefault(municipality_id, {})[day] = int(days_accrued)
    return {
        municipality_id: {day: by_day.get(at, 0) if at else 0 for day, at in asked.items()}
        for municipality_id, by_day in found.items()
    }


def _by_municipality(
    session: Session,
    queries: tuple[Any, Any],
    days: Iterable[date],
    first: date,
    last: date,
    municipality_ids: Iterable[int] | None,
) -> tuple[dict[date, date | None], Iterable[Any]]:
    """The asked days clamped to the program's, and the rows of the first query (every
    municipality) or the second (those given) for them."""
    asked = _clamped(days, first, last)
    wanted = sorted({d for d in asked.values() if d is not None})
    query: Any = queries[0]
    params: dict[str, list[Any]] = {"days": wanted}
    ids = sorted(municipality_ids) if municipality_ids is not None else None
    if ids is not None:
        query, params = queries[1], {"days": wanted, "ids": ids}
    if not wanted or ids == []:
        return asked, []
    # .all(): one fetch of every row (PostgreSQL's driver costs ~1 µs a row more one by one).
    return asked, session.execute(query, params).all()


# The same columns as plain values (the intake state as its text): compared and hashed
# cheaply by the caller that keeps what it made of them (services.reports).
_USED_PLACES_PLAIN = (
    select(
        _M.c.id,
        _M.c.name,
        _M.c.capacity,
        type_coerce(_M.c.intake_state, String),
        func.coalesce(_PLACES.c.accepted, 0),
        func.coalesce(_PLACES.c.started, 0),
    )
    .outerjoin(_PLACES, _PLACES.c.municipality_id == _M.c.id)
    .order_by(_M.c.name)
)


def used_places(session: Session) -> tuple[tuple[Any, ...], ...]:
    """(id, name, capacity, intake_state, accepted, started) of every municipality by name,
    as plain tuples (the intake state as its text): accepted but not started, and started
    (running) placements."""
    return tuple(map(tuple, session.execute(_USED_PLACES_PLAIN).all()))


def used_places_of(session: Session, municipality_id: int) -> Any | None:
    """The same row for one municipality (None when there is no such municipality); read
    afresh, so after locking the municipality it counts everything committed before."""
    return session.execute(_USED_PLACES.where(_M.c.id == municipality_id)).first()
