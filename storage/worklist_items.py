"""The worklists' kept items (`work_item`) beside the kept figures: recomputed from scratch by
`rebuild`, compared with a recomputation by `differences` (`mm figures check`), their
triggers set aside in a bulk load and restored after a migration (storage.figures calls
these). Each does nothing on a database older than migration 0022, which has no such table:
the earlier migrations recount the figures through the same functions."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from storage import kept_tables
from storage import worklist_triggers as triggers
from storage.models import KeptWorkItem


def present(session: Session | Connection) -> bool:
    """Whether the database has the table (from migration 0022 on)."""
    return kept_tables.present(session, triggers.TABLE)


def rebuild(session: Session | Connection) -> None:
    """Every item again, from the referrals and what belongs to them, in this transaction."""
    connection = kept_tables.connection_of(session)
    if not present(connection):
        return
    dialect = connection.dialect.name
    if dialect == "postgresql":  # nothing an item reads may change while they are recounted
        session.execute(text("LOCK TABLE meeting, placement_request IN SHARE MODE"))
    # The counts' triggers (storage.worklist_counts) stay on while the items are refilled:
    # dropping them is DDL, which the site's restricted role may not run (mm program load,
    # mm figures rebuild run as it); the counts are recounted after the items anyway.
    kept_tables.refill(session, triggers.TABLE, triggers.COLUMNS, triggers.items_sql(dialect))


def _key(row: Any) -> tuple[int, str, int]:
    return (row[0], row[1], row[2])


def _values(row: Any) -> tuple[Any, ...]:
    # Raw SQL on SQLite returns dates as the text they are stored as.
    return tuple(
        date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 and v[4] == "-" else v
        for v in row[3:]
    )


def differences(session: Session) -> list[str]:
    """Where the kept items differ from a recomputation (empty when they agree)."""
    if not present(session):
        return []
    dialect = session.connection().dialect.name
    columns = [getattr(KeptWorkItem, name) for name in triggers.COLUMNS]
    kept = {_key(row): _values(row) for row in session.execute(select(*columns))}
    fresh = {_key(row): _values(row) for row in session.execute(text(triggers.items_sql(dialect)))}
    return kept_tables.compared(triggers.TABLE, kept, fresh)


def create_trigger_sql(connection: Connection) -> list[str]:
    return triggers.create_sql(connection.dialect.name) if present(connection) else []


def drop_trigger_sql(connection: Connection) -> list[str]:
    return triggers.drop_sql(connection.dialect.name) if present(connection) else []


def missing_triggers(connection: Connection) -> list[str]:
    return triggers.missing(connection) if present(connection) else []
