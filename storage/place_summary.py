"""Each municipality's places in use and the revision of its plans (`place_summary`), kept by
database triggers on `place_end` (storage.place_ends) in the writer's transaction: every
change of a municipality's plans gives it a new revision, a random token (like the program's,
storage.program_store), so that the next-free estimate worked out from those plans can be
kept in the process per municipality and revision and read again only when they change
(services.place_outlooks). `places` is the sum of the municipality's plans: `mm figures check`
compares it with a recount; the revision is a cache key, not a figure, and a rebuild gives
every municipality a new one.

Each function does nothing on a database older than migration 0030, which has no such table.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.orm import Session

from storage import kept_tables
from storage.models import PlaceSummary

TABLE = "place_summary"
COLUMNS = ("municipality_id", "places", "revision")


def _token(dialect: str) -> str:
    """SQL for a new random revision: 32 hexadecimal digits."""
    if dialect == "sqlite":
        return "lower(hex(randomblob(16)))"
    return "md5(random()::text || clock_timestamp()::text)"


def recount_sql(dialect: str) -> str:
    """Every municipality's places in use from its plans, each with a new revision."""
    return (
        f"SELECT m.id AS municipality_id, COALESCE(SUM(e.places), 0) AS places, "
        f"{_token(dialect)} AS revision FROM municipality m "
        "LEFT JOIN place_end e ON e.municipality_id = m.id GROUP BY m.id"
    )


def _add(dialect: str, municipality: str, places: str) -> str:
    return (
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) "
        f"VALUES ({municipality}, {places}, {_token(dialect)}) "
        f"ON CONFLICT (municipality_id) DO UPDATE SET places = {TABLE}.places + excluded.places, "
        "revision = excluded.revision"
    )


# trigger name -> (table, event, condition on OLD/NEW or None)
TRIGGERS: dict[str, tuple[str, str, str | None]] = {
    "place_summary_insert": ("place_end", "INSERT", None),
    "place_summary_delete": ("place_end", "DELETE", None),
    "place_summary_update": ("place_end", "UPDATE", None),
}


def bodies(dialect: str) -> dict[str, list[str]]:
    """The statements each trigger runs, by trigger."""
    return {
        "place_summary_insert": [_add(dialect, "NEW.municipality_id", "NEW.places")],
        "place_summary_delete": [_add(dialect, "OLD.municipality_id", "-OLD.places")],
        "place_summary_update": [
            _add(dialect, "OLD.municipality_id", "-OLD.places"),
            _add(dialect, "NEW.municipality_id", "NEW.places"),
        ],
    }


_KEPT = PlaceSummary.__table__
# Built once (statements cost more to build than to run on these small answers).
_REVISIONS = select(_KEPT.c.municipality_id, _KEPT.c.revision).where(
    _KEPT.c.municipality_id.in_(bindparam("ids", expanding=True))
)


def revisions(session: Session, municipality_ids: Collection[int]) -> dict[int, str]:
    """The revision of the plans of each municipality given that has one (one indexed read;
    the table is there from migration 0030 on, which the site runs at)."""
    if not municipality_ids:
        return {}
    found = session.execute(_REVISIONS, {"ids": sorted(municipality_ids)})
    return {municipality_id: revision for municipality_id, revision in found}


def present(session: Session | Connection) -> bool:
    """Whether the database has the table (from migration 0030 on)."""
    return kept_tables.present(session, TABLE)


def rebuild(session: Session | Connection) -> None:
    """Every municipality's places in use again, each with a new revision."""
    if present(session):
        dialect = kept_tables.connection_of(session).dialect.name
        kept_tables.refill(session, TABLE, COLUMNS, recount_sql(dialect))


def differences(session: Session) -> list[str]:
    """Where the kept places in use differ from a recount of the plans (a municipality
    without a row counts as none)."""
    if not present(session):
        return []
    dialect = session.connection().dialect.name
    kept = {m: p for m, p in session.execute(select(_KEPT.c.municipality_id, _KEPT.c.places))}
    fresh = {row[0]: int(row[1]) for row in session.execute(text(recount_sql(dialect)))}
    kept = {m: p for m, p in kept.items() if p or fresh.get(m)}
    fresh = {m: p for m, p in fresh.items() if p or m in kept}
    return kept_tables.compared(TABLE, kept, fresh)


def create_trigger_sql(connection: Connection) -> list[str]:
    return kept_tables.create_sql(connection, TABLE, TRIGGERS, bodies)


def drop_trigger_sql(connection: Connection) -> list[str]:
    return kept_tables.drop_sql(connection, TABLE, TRIGGERS)


def missing_triggers(connection: Connection) -> list[str]:
    return kept_tables.missing(connection, TABLE, TRIGGERS)
