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

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from domain.figures import COUNTERS

# The other kept tables (the worklists' items and counts, the places in use per plan, the accepted
# placements per meeting day, the period reports' totals) are recounted, checked and restored
# with the figures; each module has the same five functions.
from storage import (
    accepted_meetings,
    kept_tables,
    place_ends,
    place_summary,
    report_figures,
    worklist_counts,
    worklist_items,
)

# The trigger SQL and the readers live in their own modules; callers and migrations name them
# through storage.figures.
from storage.figure_reads import accrued_by_municipality as accrued_by_municipality
from storage.figure_reads import tallies as tallies
from storage.figure_reads import tallies_by_municipality as tallies_by_municipality
from storage.figure_reads import used_places as used_places
from storage.figure_reads import used_places_of as used_places_of
from storage.figure_triggers import ACCEPTED, COUNTER_LIST, STARTED, counter_keys
from storage.figure_triggers import PLACEMENT_TRIGGERS as PLACEMENT_TRIGGERS
from storage.figure_triggers import create_trigger_sql as create_trigger_sql
from storage.figure_triggers import drop_trigger_sql as drop_trigger_sql
from storage.figure_triggers import missing_triggers as missing_triggers
from storage.models import DayFigure, DayFigureTotal, PlaceCount

# The work counts after the work items: they are recounted from them; place_summary after
# place_ends: it sums their rows.
_KEPT_TABLES = (
    worklist_items,
    worklist_counts,
    place_ends,
    place_summary,
    accepted_meetings,
    report_figures,
)


def _contributions(dialect: str) -> str:
    """Every placement's contribution at each of its key days, clamped to the program's first
    day (a key after the last day adds to no day of the program), and a zero for every
    municipality and day so that each day has its row."""
    first = "(SELECT MIN(day) FROM compensable_day)"
    last = "(SELECT MAX(day) FROM compensable_day)"
    parts = []
    for key in counter_keys(dialect, "p"):
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
            f"INSERT INTO day_figure (municipality_id, day, {COUNTER_LIST}) "
            f"SELECT municipality_id, day, {COUNTER_LIST} FROM ({_recomputed_sql(dialect)}) AS r"
        )
    )
    totals = ", ".join(f"COALESCE(SUM(f.{name}), 0)" for name in COUNTERS)
    session.execute(
        text(
            f"INSERT INTO day_figure_total (day, {COUNTER_LIST}) "
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
    for kept in _KEPT_TABLES:
        kept.rebuild(session)


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
        (row[0], kept_tables.as_date(row[1])): tuple(row[2:])
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
    return found + [line for kept in _KEPT_TABLES for line in kept.differences(session)]


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
    work = session.connection()
    for statement in drop_trigger_sql(dialect, PLACEMENT_TRIGGERS) + [
        sql for kept in _KEPT_TABLES for sql in kept.drop_trigger_sql(work)
    ]:
        session.execute(text(statement))
    session.info["mm_bulk_load"] = True
    try:
        yield
    finally:
        session.info.pop("mm_bulk_load", None)
    session.flush()
    for statement in create_trigger_sql(dialect, PLACEMENT_TRIGGERS) + [
        sql for kept in _KEPT_TABLES for sql in kept.create_trigger_sql(work)
    ]:
        session.execute(text(statement))
    rebuild(session)


def restore_triggers(connection: Connection) -> bool:
    """Recreates missing triggers and recounts the figures; True when it had to."""
    missing = missing_triggers(connection)
    kept_missing = [kept for kept in _KEPT_TABLES if kept.missing_triggers(connection)]
    if not missing and not kept_missing:
        return False
    dialect = connection.dialect.name
    statements = drop_trigger_sql(dialect, missing) + create_trigger_sql(dialect, missing)
    for kept in kept_missing:  # all of a table's again: they are made together
        statements += kept.drop_trigger_sql(connection)
        statements += kept.create_trigger_sql(connection)
    for statement in statements:
        connection.execute(text(statement))
    rebuild(connection)
    return True
