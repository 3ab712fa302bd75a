"""What every table kept by triggers beside the day figures shares (the worklists' items, the
places in use per plan, the accepted placements per meeting day, the period reports' totals):
whether the database has it yet, refilling it from its recount, comparing it with the recount
for `mm figures check`, and its triggers made, dropped and found missing. Each kept table's
module gives its own recount and trigger bodies; storage.figures calls the five functions of
each (present, rebuild, differences, create_trigger_sql/drop_trigger_sql, missing_triggers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, inspect, text
from sqlalchemy.orm import Session

from storage import figure_triggers

Bodies = Callable[[str], dict[str, list[str]]]
Triggers = dict[str, tuple[str, str, str | None]]


def connection_of(session: Session | Connection) -> Connection:
    return session.connection() if isinstance(session, Session) else session


def present(session: Session | Connection, table: str) -> bool:
    """Whether the database has the table (a database not yet migrated to it has not)."""
    return inspect(connection_of(session)).has_table(table)


def refill(
    session: Session | Connection, table: str, columns: Sequence[str], recount_sql: str
) -> None:
    """The table's rows again from its recount, in this transaction."""
    names = ", ".join(columns)
    session.execute(text(f"DELETE FROM {table}"))
    session.execute(
        text(f"INSERT INTO {table} ({names}) SELECT {names} FROM ({recount_sql}) AS recount")
    )


def as_date(value: date | str) -> date:
    # Raw SQL on SQLite returns dates as the text they are stored as.
    return value if isinstance(value, date) else date.fromisoformat(value)


def compared(table: str, kept: Mapping[Any, Any], fresh: Mapping[Any, Any]) -> list[str]:
    """One line per key where the kept row and the recount differ (empty when they agree)."""
    return [
        f"{table} {key}: kept {kept.get(key)}, recomputed {fresh.get(key)}"
        for key in sorted(set(kept) | set(fresh))
        if kept.get(key) != fresh.get(key)
    ]


def create_sql(connection: Connection, table: str, triggers: Triggers, bodies: Bodies) -> list[str]:
    if not present(connection, table):
        return []
    return figure_triggers.create_trigger_sql(
        connection.dialect.name, triggers, triggers=triggers, bodies=bodies
    )


def drop_sql(connection: Connection, table: str, triggers: Triggers) -> list[str]:
    if not present(connection, table):
        return []
    return figure_triggers.drop_trigger_sql(connection.dialect.name, triggers, triggers=triggers)


def missing(connection: Connection, table: str, triggers: Triggers) -> list[str]:
    if not present(connection, table):
        return []
    return figure_triggers.missing_triggers(connection, triggers)
