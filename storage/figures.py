"""Maintained figures in the database: the running totals of domain.figures per municipality
and day (`day_figure`, and `day_figure_total` for all municipalities), and the used places
per municipality (`place_count`).

Database triggers keep them: every INSERT, UPDATE or DELETE of a placement, and every change
of a referral's status, adjusts the totals in the same statement's transaction, whoever makes
the change (a use case, a correction, a purge, an operator's SQL). The same SQL is written
for SQLite (trigger bodies) and PostgreSQL (a PL/pgSQL function); only date arithmetic and
the trigger wrapper differ. `rebuild` recomputes everything from scratch: after loading a
program, in bulk loading, and as the recomputation the tests compare against.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, text
from sqlalchemy.orm import Session

from domain.choices import GOAL_OUTCOMES, Outcome
from domain.enrolment import ASSESSMENT_PLAN_DEADLINE, WORKPLACE_TRAINING_DEADLINE
from domain.figures import COUNTERS, ZERO, Tally
from domain.lifecycle import ReferralStatus
from storage.models import (
    CompensableDayRow,
    DayFigure,
    DayFigureTotal,
    Municipality,
    PlaceCount,
)

GOALS = ", ".join(f"'{o.value}'" for o in sorted(GOAL_OUTCOMES))
ALTERNATIVE = Outcome.ALTERNATIVE_PLAN.value
ACCEPTED, STARTED = ReferralStatus.ACCEPTED.value, ReferralStatus.STARTED.value
PLACEMENT_COLUMNS = (
    "municipality_id",
    "started_on",
    "planned_end_on",
    "ended_on",
    "assessment_plan_on",
    "workplace_training_on",
    "outcome",
    "alternative_plan_on",
)


def _plus_days(dialect: str, expression: str, days: int) -> str:
    if dialect == "sqlite":
        return f"date({expression}, '{days:+d} days')"
    return f"({expression} + {days})"


@dataclass(frozen=True)
class _Key:
    """A day from which a placement adds to some counters, and what it adds."""

    day: str  # SQL for the key day, in terms of the row alias R
    when: str  # SQL condition: the placement adds to these counters at all
    values: dict[str, str]  # counter -> SQL value


def _keys(dialect: str, row: str) -> list[_Key]:
    """The three key days of a placement row (`row` is NEW, OLD or a table alias)."""
    start = f"{row}.started_on"
    end = f"COALESCE({row}.ended_on, {row}.planned_end_on)"
    day_before_start = _plus_days(dialect, start, -1)
    budget_end = f"(CASE WHEN {end} < {day_before_start} THEN {day_before_start} ELSE {end} END)"
    plan, training = f"{row}.assessment_plan_on", f"{row}.workplace_training_on"
    plan_limit = _plus_days(dialect, start, ASSESSMENT_PLAN_DEADLINE.days)
    training_limit = _plus_days(dialect, start, WORKPLACE_TRAINING_DEADLINE.days)
    other = f"({row}.outcome IS NOT NULL AND {row}.outcome NOT IN ({GOALS}))"

    def flag(condition: str) -> str:
        return f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    def index(column: str, day: str) -> str:
        return f'COALESCE((SELECT c."{column}" FROM compensable_day c WHERE c.day = {day}), 0)'

    has_end = f"{end} IS NOT NULL"
    return [
        _Key(
            start,
            f"{start} IS NOT NULL",
            {
                "starts": "1",
                "plans": flag(f"{plan} IS NOT NULL"),
                "plans_on_time": flag(f"{plan} <= {plan_limit}"),
                "trainings": flag(f"{training} IS NOT NULL"),
                "trainings_on_time": flag(f"{training} <= {training_limit}"),
                "running_from": flag(has_end),
                "before_sum": f"(CASE WHEN {has_end} THEN {index('before', start)} ELSE 0 END)",
            },
        ),
        _Key(
            budget_end,
            f"{start} IS NOT NULL AND {has_end}",
            {"running_to": "1", "through_sum": index("through", budget_end)},
        ),
        _Key(
            f"{row}.ended_on",
            f"{start} IS NOT NULL AND {row}.ended_on IS NOT NULL",
            {
                "ends": "1",
                "goal_outcomes": flag(f"{row}.outcome IN ({GOALS})"),
                "other_outcomes": flag(other),
                "alternative_plans": flag(
                    f"{other} AND ({row}.alternative_plan_on IS NOT NULL "
                    f"OR {row}.outcome = '{ALTERNATIVE}')"
                ),
            },
        ),
    ]


def _delta_update(dialect: str, table: str, rows: Iterable[tuple[str, int]]) -> str:
    """One UPDATE that adds (sign +1) or takes away (−1) the placement rows' contributions,
    in one ascending pass over the rows it touches, so that two transactions changing the
    same municipality wait for each other instead of deadlocking."""
    rows = list(rows)
    per_municipality = table == "day_figure"
    parts: dict[str, list[str]] = {name: [] for name in COUNTERS}
    lower_bounds = []
    for row, sign in rows:
        for key in _keys(dialect, row):
            applies = f"({key.when}) AND day >= {key.day}"
            if per_municipality:
                applies += f" AND municipality_id = {row}.municipality_id"
            lower_bounds.append(f"(CASE WHEN {key.when} THEN {key.day} END)")
            for name, value in key.values.items():
                op = "+" if sign > 0 else "-"
                parts[name].append(f" {op} (CASE WHEN {applies} THEN {value} ELSE 0 END)")
    assignments = ",\n    ".join(f"{name} = {name}{''.join(parts[name])}" for name in COUNTERS)
    bound = " UNION ALL ".join(f"SELECT {b} AS k" for b in lower_bounds)
    where = f"day >= (SELECT MIN(k) FROM ({bound}) AS bounds)"
    if per_municipality:
        municipalities = ", ".join(f"{row}.municipality_id" for row, _sign in rows)
        where += f" AND municipality_id IN ({municipalities})"
    return f"UPDATE {table} SET\n    {assignments}\nWHERE {where}"


def _place_update(row: str, status: str, sign: int, condition: str = "") -> str:
    """Adds (or takes away) the row's placement to the used places of its municipality."""
    op = "+" if sign > 0 else "-"
    return (
        f"UPDATE place_count SET "
        f"accepted = accepted {op} (CASE WHEN {status} = '{ACCEPTED}' THEN 1 ELSE 0 END), "
        f"started = started {op} (CASE WHEN {status} = '{STARTED}' THEN 1 ELSE 0 END) "
        f"WHERE municipality_id = {row}.municipality_id{condition}"
    )


def _status_of(row: str) -> str:
    return f"(SELECT r.status FROM referral r WHERE r.id = {row}.referral_id)"


_MOVED = " AND OLD.municipality_id <> NEW.municipality_id"
_COUNTER_LIST = ", ".join(COUNTERS)
_ZEROS = ", ".join("0" for _ in COUNTERS)


def _bodies(dialect: str) -> dict[str, list[str]]:
    """The statements each trigger runs, by trigger."""
    both = [("OLD", -1), ("NEW", 1)]
    return {
        "placement_insert": [
            _delta_update(dialect, "day_figure", [("NEW", 1)]),
            _delta_update(dialect, "day_figure_total", [("NEW", 1)]),
            _place_update("NEW", _status_of("NEW"), 1),
        ],
        "placement_delete": [
            _delta_update(dialect, "day_figure", [("OLD", -1)]),
            _delta_update(dialect, "day_figure_total", [("OLD", -1)]),
            _place_update("OLD", _status_of("OLD"), -1),
        ],
        "placement_update": [
            _delta_update(dialect, "day_figure", both),
            _delta_update(dialect, "day_figure_total", both),
            _place_update("OLD", _status_of("OLD"), -1, _MOVED),
            _place_update("NEW", _status_of("NEW"), 1, _MOVED),
        ],
        "referral_status": [
            "UPDATE place_count SET "
            f"accepted = accepted - (CASE WHEN OLD.status = '{ACCEPTED}' THEN 1 ELSE 0 END)"
            f" + (CASE WHEN NEW.status = '{ACCEPTED}' THEN 1 ELSE 0 END), "
            f"started = started - (CASE WHEN OLD.status = '{STARTED}' THEN 1 ELSE 0 END)"
            f" + (CASE WHEN NEW.status = '{STARTED}' THEN 1 ELSE 0 END) "
            "WHERE municipality_id = "
            "(SELECT p.municipality_id FROM placement p WHERE p.referral_id = NEW.id)"
        ],
        "municipality_insert": [
            "INSERT INTO place_count (municipality_id, accepted, started) VALUES (NEW.id, 0, 0)",
            f"INSERT INTO day_figure (municipality_id, day, {_COUNTER_LIST}) "
            f"SELECT NEW.id, day, {_ZEROS} FROM compensable_day",
        ],
    }


# trigger name -> (table, event, condition on OLD/NEW or None)
_TRIGGERS = {
    "placement_insert": ("placement", "INSERT", None),
    "placement_delete": ("placement", "DELETE", None),
    "placement_update": (
        "placement",
        f"UPDATE OF {', '.join(PLACEMENT_COLUMNS)}",
        " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in PLACEMENT_COLUMNS),
    ),
    "referral_status": ("referral", "UPDATE OF status", "OLD.status IS DISTINCT FROM NEW.status"),
    "municipality_insert": ("municipality", "INSERT", None),
}
PLACEMENT_TRIGGERS = ("placement_insert", "placement_delete", "placement_update")


def create_trigger_sql(dialect: str, names: Iterable[str] = tuple(_TRIGGERS)) -> list[str]:
    """DDL for the triggers (and on PostgreSQL their functions)."""
    bodies = _bodies(dialect)
    ddl = []
    for name in names:
        table, event, condition = _TRIGGERS[name]
        statements = ";\n  ".join(bodies[name])
        if dialect == "sqlite":
            when = f" WHEN {condition.replace('IS DISTINCT FROM', 'IS NOT')}" if condition else ""
            ddl.append(
                f"CREATE TRIGGER tr_{name} AFTER {event} ON {table} FOR EACH ROW{when}\n"
                f"BEGIN\n  {statements};\nEND"
            )
        else:
            ddl.append(
                f"CREATE FUNCTION mm_{name}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
                f"BEGIN\n  {statements};\n  RETURN NULL;\nEND\n$body$"
            )
            when = f" WHEN ({condition})" if condition else ""
            ddl.append(
                f"CREATE TRIGGER tr_{name} AFTER {event} ON {table} FOR EACH ROW{when} "
                f"EXECUTE FUNCTION mm_{name}()"
            )
    return ddl


def drop_trigger_sql(dialect: str, names: Iterable[str] = tuple(_TRIGGERS)) -> list[str]:
    ddl = []
    for name in names:
        table = _TRIGGERS[name][0]
        if dialect == "sqlite":
            ddl.append(f"DROP TRIGGER IF EXISTS tr_{name}")
        else:
            ddl.append(f"DROP TRIGGER IF EXISTS tr_{name} ON {table}")
            ddl.append(f"DROP FUNCTION IF EXISTS mm_{name}()")
    return ddl


def missing_triggers(connection: Connection) -> list[str]:
    """The figures' triggers that the database lacks (SQLite drops a table's triggers when a
    migration rebuilds the table)."""
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    present = {row[0] for row in connection.execute(text(query))}
    return [name for name in _TRIGGERS if f"tr_{name}" not in present]


def restore_triggers(connection: Connection) -> bool:
    """Recreates missing triggers and recounts the figures; True when it had to."""
    missing = missing_triggers(connection)
    if not missing:
        return False
    dialect = connection.dialect.name
    for statement in drop_trigger_sql(dialect, missing) + create_trigger_sql(dialect, missing):
        connection.execute(text(statement))
    rebuild(connection)
    return True


def _contributions(dialect: str) -> str:
    """Every placement's contribution at each of its key days, clamped to the program's first
    day (a key after the last day adds to no day of the program), and a zero for every
    municipality and day so that each day has its row."""
    first = "(SELECT MIN(day) FROM compensable_day)"
    last = "(SELECT MAX(day) FROM compensable_day)"
    parts = []
    for key in _keys(dialect, "p"):
        values = ", ".join(f"{key.values.get(name, '0')} AS {name}" for name in COUNTERS)
        parts.append(
            f"SELECT p.municipality_id AS municipality_id, "
            f"CASE WHEN {key.day} < {first} THEN {first} ELSE {key.day} END AS day, {values} "
            f"FROM placement p WHERE {key.when} AND {key.day} <= {last}"
        )
    zeros = ", ".join(f"0 AS {name}" for name in COUNTERS)
    parts.append(
        f"SELECT m.id AS municipality_id, c.day AS day, {zeros} "
        "FROM municipality m CROSS JOIN compensable_day c"
    )
    return " UNION ALL ".join(parts)


def _recomputed_sql(dialect: str) -> str:
    """The per-municipality running totals of every day, computed from the placements."""
    sums = ", ".join(f"SUM({name}) AS {name}" for name in COUNTERS)
    running = ", ".join(
        f"SUM({name}) OVER (PARTITION BY municipality_id ORDER BY day) AS {name}"
        for name in COUNTERS
    )
    return (
        f"SELECT municipality_id, day, {running} FROM "
        f"(SELECT municipality_id, day, {sums} FROM ({_contributions(dialect)}) AS contributions "
        "GROUP BY municipality_id, day) AS per_day"
    )


_PLACES_SQL = (
    "SELECT m.id AS municipality_id, "
    f"COALESCE(SUM(CASE WHEN r.status = '{ACCEPTED}' THEN 1 ELSE 0 END), 0) AS accepted, "
    f"COALESCE(SUM(CASE WHEN r.status = '{STARTED}' THEN 1 ELSE 0 END), 0) AS started "
    "FROM municipality m LEFT JOIN placement p ON p.municipality_id = m.id "
    "LEFT JOIN referral r ON r.id = p.referral_id GROUP BY m.id"
)


def _dialect(session: Session | Connection) -> str:
    connection = session.connection() if isinstance(session, Session) else session
    return connection.dialect.name


def rebuild(session: Session | Connection) -> None:
    """Recomputes every maintained figure from the placements, in this transaction."""
    if isinstance(session, Session):
        session.flush()
    dialect = _dialect(session)
    if dialect == "postgresql":  # no placement may change while the totals are recomputed
        session.execute(text("LOCK TABLE placement, referral IN SHARE MODE"))
    for table in ("day_figure", "day_figure_total", "place_count"):
        session.execute(text(f"DELETE FROM {table}"))
    session.execute(
        text(
            f"INSERT INTO day_figure (municipality_id, day, {_COUNTER_LIST}) "
            f"SELECT municipality_id, day, {_COUNTER_LIST} FROM ({_recomputed_sql(dialect)}) AS r"
        )
    )
    totals = ", ".join(f"COALESCE(SUM(f.{name}), 0)" for name in COUNTERS)
    session.execute(
        text(
            f"INSERT INTO day_figure_total (day, {_COUNTER_LIST}) "
            f"SELECT c.day, {totals} FROM compensable_day c "
            "LEFT JOIN day_figure f ON f.day = c.day GROUP BY c.day"
        )
    )
    session.execute(
        text(
            "INSERT INTO place_count (municipality_id, accepted, started) "
            f"SELECT municipality_id, accepted, started FROM ({_PLACES_SQL}) AS r"
        )
    )


def differences(session: Session) -> list[str]:
    """Where the maintained figures differ from a recomputation from scratch (empty when
    they agree): for `mm figures check` and the tests."""
    dialect = _dialect(session)
    names = ("municipality_id", "day", *COUNTERS)
    kept = {
        (row[0], row[1]): tuple(row[2:])
        for row in session.execute(select(*(getattr(DayFigure, n) for n in names)))
    }
    fresh = {
        (row[0], _as_date(row[1])): tuple(row[2:])
        for row in session.execute(text(_recomputed_sql(dialect)))
    }
    found = [
        f"day_figure {key}: kept {kept.get(key)}, recomputed {fresh.get(key)}"
        for key in sorted(set(kept) | set(fresh))
        if kept.get(key) != fresh.get(key)
    ]
    totals: dict[date, list[int]] = {}
    for (_municipality, day), values in fresh.items():
        totals[day] = [
            a + b for a, b in zip(totals.get(day, [0] * len(COUNTERS)), values, strict=True)
        ]
    kept_totals = {
        row[0]: list(row[1:])
        for row in session.execute(
            select(DayFigureTotal.day, *(getattr(DayFigureTotal, n) for n in COUNTERS))
        )
    }
    for day in sorted(set(totals) | set(kept_totals)):
        if kept_totals.get(day, [0] * len(COUNTERS)) != totals.get(day, [0] * len(COUNTERS)):
            found.append(
                f"day_figure_total {day}: kept {kept_totals.get(day)}, recomputed {totals.get(day)}"
            )
    places = {row[0]: (row[1], row[2]) for row in session.execute(text(_PLACES_SQL))}
    kept_places = {
        row[0]: (row[1], row[2])
        for row in session.execute(
            select(PlaceCount.municipality_id, PlaceCount.accepted, PlaceCount.started)
        )
    }
    if places != kept_places:
        found.append(f"place_count: kept {kept_places}, recomputed {places}")
    return found


def _as_date(value: date | str) -> date:
    # Raw SQL on SQLite returns dates as the text they are stored as.
    return value if isinstance(value, date) else date.fromisoformat(value)


@contextmanager
def bulk_load(session: Session) -> Iterator[None]:
    """Many placements at once (data builders, imports): the placement triggers are set
    aside for the block and the figures recomputed once at its end, in the same
    transaction. For a database nobody else writes to meanwhile."""
    if session.info.get("mm_bulk_load"):  # already inside one: recounted at its end
        yield
        return
    dialect = _dialect(session)
    session.flush()
    for statement in drop_trigger_sql(dialect, PLACEMENT_TRIGGERS):
        session.execute(text(statement))
    session.info["mm_bulk_load"] = True
    try:
        yield
    finally:
        session.info.pop("mm_bulk_load", None)
    session.flush()
    for statement in create_trigger_sql(dialect, PLACEMENT_TRIGGERS):
        session.execute(text(statement))
    rebuild(session)


# ---- reading ------------------------------------------------------------------------


def _clamped(days: Iterable[date], first: date, last: date) -> dict[date, date | None]:
    """Each asked day -> the program day whose totals answer it (None: before the program)."""
    return {day: (None if day < first else min(day, last)) for day in days}


def _tally(values: Any) -> Tally:
    """The counters and the day index, in the order of Tally's fields (as selected below)."""
    return Tally(*map(int, values))


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
    asked = _clamped(days, first, last)
    wanted = sorted({d for d in asked.values() if d is not None})
    found: dict[int, dict[date, Tally]] = {}
    query: Any = _TALLIES_BY_MUNICIPALITY
    params: dict[str, list[Any]] = {"days": wanted}
    ids = sorted(municipality_ids) if municipality_ids is not None else None
    if ids is not None:
        query, params = _TALLIES_OF_MUNICIPALITIES, {"days": wanted, "ids": ids}
    if wanted and ids != []:
        for row in session.execute(query, params):
            found.setdefault(row[0], {})[row[1]] = _tally(row[2:])
    return {
        municipality_id: {day: by_day.get(at, ZERO) if at else ZERO for day, at in asked.items()}
        for municipality_id, by_day in found.items()
    }


def used_places(session: Session) -> list[Any]:
    """(id, name, capacity, intake_state, accepted, started) of every municipality by name:
    accepted but not started, and started (running) placements."""
    return list(session.execute(_USED_PLACES))


def used_places_of(session: Session, municipality_id: int) -> Any | None:
    """The same row for one municipality (None when there is no such municipality); read
    afresh, so after locking the municipality it counts everything committed before."""
    return session.execute(_USED_PLACES.where(_M.c.id == municipality_id)).first()
