"""The period reports' kept figures (`report_day`, storage.report_triggers): recomputed by
`rebuild`, compared by `differences` (`mm figures check`), their triggers set aside in a bulk
load and restored after a migration (storage.figures calls these; each does nothing on a
database older than migration 0024), and read for a period as the difference of two days.

A period [first, last] reads the rows of the day before it and of its last day, clamped to
the program's days (`program`: its first and last day, those of `compensable_day`) as
storage.figures clamps its totals. The answers are kept by their UTC day; the
hour or two at each edge where a Swedish day differs are read from the requests themselves
(`answer_edges`), a range of the answer index however long the program has run."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from domain.clock import STOCKHOLM
from domain.lifecycle import RequestAnswer
from storage import kept_tables
from storage import report_triggers as triggers
from storage.dates import seconds_of_sql
from storage.models import PlacementRequest, Referral, ReportDay
from storage.models.report_figures import GENDERS, UNKNOWN_GENDER

_DAY = ReportDay.__table__
COUNTERS = triggers.COUNTERS


def present(session: Session | Connection) -> bool:
    """Whether the database has the table (from migration 0024 on)."""
    return kept_tables.present(session, triggers.TABLE)


def rebuild(session: Session | Connection) -> None:
    """Every municipality's totals again, from the placements and requests."""
    connection = kept_tables.connection_of(session)
    if not present(connection):
        return
    dialect = connection.dialect.name
    if dialect == "postgresql":  # nothing they count may change while they are recounted
        session.execute(text("LOCK TABLE placement, placement_request, referral IN SHARE MODE"))
    columns = ("municipality_id", "day", *triggers.COUNTERS)
    kept_tables.refill(session, triggers.TABLE, columns, triggers.recomputed_sql(dialect))


def differences(session: Session) -> list[str]:
    """Where the kept totals differ from a recomputation (empty when they agree)."""
    if not present(session):
        return []
    dialect = session.connection().dialect.name
    kept = {
        (row[0], row[1]): tuple(row[2:])
        for row in session.execute(select(_DAY.c.municipality_id, _DAY.c.day, *_counters()))
    }
    fresh = {
        (row[0], kept_tables.as_date(row[1])): tuple(int(v) for v in row[2:])
        for row in session.execute(text(triggers.recomputed_sql(dialect)))
    }
    return kept_tables.compared(triggers.TABLE, kept, fresh)


def create_trigger_sql(connection: Connection) -> list[str]:
    return triggers.create_sql(connection.dialect.name) if present(connection) else []


def drop_trigger_sql(connection: Connection) -> list[str]:
    return triggers.drop_sql(connection.dialect.name) if present(connection) else []


def missing_triggers(connection: Connection) -> list[str]:
    return triggers.missing(connection) if present(connection) else []


def _counters() -> list[Any]:
    return [_DAY.c[name] for name in triggers.COUNTERS]


_BY_MUNICIPALITY = select(_DAY.c.municipality_id, *_counters()).where(
    _DAY.c.day.in_(bindparam("days", expanding=True))
)
_LAST = _DAY.c.day == bindparam("last")
_PERIOD = (
    select(
        _DAY.c.municipality_id,
        *(func.sum(case((_LAST, c), else_=-c)) for c in _counters()),
    )
    .where(_DAY.c.day.in_(bindparam("days", expanding=True)))
    .group_by(_DAY.c.municipality_id)
)
_ALL = select(_DAY.c.day, *(func.sum(c) for c in _counters())).where(
    _DAY.c.day.in_(bindparam("days", expanding=True))
)
_ALL = _ALL.group_by(_DAY.c.day)

Totals = dict[str, int]


def _clamped(days: Iterable[date], first: date, last: date) -> dict[date, date | None]:
    return {day: (None if day < first else min(day, last)) for day in days}


def _zero() -> Totals:
    return dict.fromkeys(triggers.COUNTERS, 0)


def period_by_municipality(
    session: Session, first: date, last: date, program: tuple[date, date]
) -> dict[int, Totals]:
    """Each municipality's figures of [first, last]: its running totals at the end of
    `last` less those at the end of the day before `first`, subtracted in the database (one
    query, 2 rows a municipality read); only the municipalities with a row."""
    asked = _clamped((first - timedelta(days=1), last), *program)
    before, end = asked[first - timedelta(days=1)], asked[last]
    if end is None or end == before:
        return {}
    if before is None:  # from the beginning
        found = session.execute(_BY_MUNICIPALITY, {"days": [end]}).all()
    else:
        found = session.execute(_PERIOD, {"days": [before, end], "last": end}).all()
    return {row[0]: dict(zip(triggers.COUNTERS, row[1:], strict=True)) for row in found}


def totals(
    session: Session, days: Iterable[date], program: tuple[date, date]
) -> dict[date, Totals]:
    """All municipalities' running totals at the end of each day (one query)."""
    asked = _clamped(days, *program)
    wanted = sorted({d for d in asked.values() if d is not None})
    found: dict[date, Totals] = {}
    if wanted:
        for row in session.execute(_ALL, {"days": wanted}).all():
            found[row[0]] = dict(zip(triggers.COUNTERS, (int(v) for v in row[1:]), strict=True))
    return {day: found.get(at, _zero()) if at else _zero() for day, at in asked.items()}


def _midnight(day: date, zone: Any) -> datetime:
    return datetime.combine(day, time(0), zone)


def _kept_bound(day: date, program: tuple[date, date]) -> datetime | None:
    """The moment up to which the totals read at `day` count answers (None: none at all)."""
    at = _clamped([day], *program)[day]
    return None if at is None else _midnight(at + timedelta(days=1), UTC)


def answer_edges(
    session: Session, first: date, last: date, program: tuple[date, date]
) -> dict[int, tuple[int, int]]:
    """municipality_id -> (answers, seconds) to add to the kept difference of the days
    before `first` and `last` so that it counts the requests answered in the Swedish days
    [first, last]: the kept totals count by UTC day, and only at the edges do they differ.
    What is kept covers [low, high); what is asked [start, end); the difference is the two
    signed stretches [start, low) and [high, end), each an hour or two."""
    start, end = _midnight(first, STOCKHOLM), _midnight(last + timedelta(days=1), STOCKHOLM)
    low = _kept_bound(first - timedelta(days=1), program)
    high = _kept_bound(last, program)
    dialect = session.connection().dialect.name
    parts = [*_stretch(dialect, start, low), *_stretch(dialect, high, end)]
    if not parts:
        return {}
    counted = union_all(*parts).subquery()
    query = select(
        counted.c.municipality_id, func.sum(counted.c.n), func.sum(counted.c.seconds)
    ).group_by(counted.c.municipality_id)
    return {row[0]: (int(row[1]), int(row[2] or 0)) for row in session.execute(query)}


def _stretch(dialect: str, frm: datetime | None, to: datetime | None) -> list[Any]:
    """The answers in [frm, to), counted +1 (or, when `to` comes first, in [to, frm), −1);
    None is the beginning of time."""
    if frm == to:
        return []
    sign = 1 if to is not None and (frm is None or frm < to) else -1
    lower, upper = (frm, to) if sign > 0 else (to, frm)
    answered = PlacementRequest.answered_at
    conditions = [
        PlacementRequest.answer.in_([RequestAnswer.ACCEPTED, RequestAnswer.DECLINED]),
        Referral.submitted_at.is_not(None),
        answered < upper,
    ]
    if lower is not None:
        conditions.append(answered >= lower)
    seconds: Any = literal_column(
        f"{seconds_of_sql(dialect, 'placement_request.answered_at')} "
        f"- {seconds_of_sql(dialect, 'referral.submitted_at')}"
    )
    return [
        select(
            PlacementRequest.municipality_id.label("municipality_id"),
            literal(sign).label("n"),
            (seconds * sign).label("seconds"),
        )
        .join(Referral, Referral.id == PlacementRequest.referral_id)
        .where(*conditions)
    ]


def participants(
    session: Session, first: date, last: date, program: tuple[date, date]
) -> dict[str, list[Any]]:
    """Participants of [first, last] as (None, kept legal gender or None, count) rows, all
    municipalities together: `active` (placed at some time in it: started in it, or before
    it and not gone before it), `new` (started in it), `ended` (ended in it); from the kept
    totals of the day before and the last day."""
    before = first - timedelta(days=1)
    kept = totals(session, (before, last), program)
    then, now = kept[before], kept[last]
    found: dict[str, list[Any]] = {"active": [], "new": [], "ended": []}
    for gender in GENDERS:
        legal = None if gender == UNKNOWN_GENDER else gender
        new = now[f"starts_{gender}"] - then[f"starts_{gender}"]
        still = then[f"starts_{gender}"] - then[f"gone_{gender}"]
        found["new"].append((None, legal, new))
        found["active"].append((None, legal, new + still))
        found["ended"].append((None, legal, now[f"ends_{gender}"] - then[f"ends_{gender}"]))
    return found
