"""The worklists' kept counts (`work_count`, storage.models.WorkCount): how many kept items
(`work_item`, storage.worklist_triggers) of a kind count from a day, for everyone, per
municipality and per investigator, kept by triggers on `work_item` in the writer's
transaction. A worklist's count of a kind is then the sum of a few hundred rows over its
window of days (storage.worklist_queries), not a walk over every item of the kind.

One SQL definition: `_DAY` says which day an item counts under and `_SCOPES` whose counts it
adds to; the recount of `rebuild` and `differences` (`mm figures check`) groups the items by
them, and the triggers add or take away the one item that changes. Each function does
nothing on a database older than migration 0027, which has no such table.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from domain.deadlines import Task
from storage import kept_tables
from storage.models import WorkCount

TABLE = "work_count"
COLUMNS = ("kind", "whose", "who", "day", "items")
# A follow-up to book counts under the last follow-up booked; with none booked, under a day
# before any other (so it is before every today). Every other kind counts under its anchor.
NONE_BOOKED = "0001-01-01"
ALL, MUNICIPALITY, INVESTIGATOR = "all", "municipality", "investigator"


def _day(row: str) -> str:
    return (
        f"(CASE WHEN {row}.kind = '{Task.BOOK_FOLLOW_UP.value}' "
        f"THEN COALESCE({row}.booked_until, '{NONE_BOOKED}') ELSE {row}.anchor END)"
    )


def _scopes(row: str) -> dict[str, str]:
    """whose -> SQL for who, of an item row (`row` is NEW, OLD or a table alias)."""
    return {
        ALL: "0",
        MUNICIPALITY: f"COALESCE({row}.municipality_id, 0)",
        INVESTIGATOR: f"{row}.investigator_id",
    }


def _counted() -> str:
    parts = []
    for whose, who in _scopes("w").items():
        groups = ", ".join(["w.kind", *([who] if whose != ALL else []), _day("w")])
        parts.append(
            f"SELECT w.kind AS kind, '{whose}' AS whose, {who} AS who, {_day('w')} AS day, "
            f"COUNT(*) AS items FROM work_item w GROUP BY {groups}"
        )
    return " UNION ALL ".join(parts)


_ROWS = select(*(getattr(WorkCount, c) for c in COLUMNS))


def present(session: Session | Connection) -> bool:
    """Whether the database has the table (from migration 0027 on)."""
    return kept_tables.present(session, TABLE)


def rebuild(session: Session | Connection) -> None:
    """Every count again from the kept items (rebuilt just before: storage.figures)."""
    if present(session):
        kept_tables.refill(session, TABLE, COLUMNS, _counted())


def differences(session: Session) -> list[str]:
    """Where the kept counts differ from a recount of the items (empty when they agree)."""
    if not present(session):
        return []
    kept = {
        (*tuple(row[:3]), kept_tables.as_date(row[3])): row[4] for row in session.execute(_ROWS)
    }
    fresh = {
        (*tuple(row[:3]), kept_tables.as_date(row[3])): int(row[4])
        for row in session.execute(text(_counted()))
    }
    return kept_tables.compared(TABLE, kept, fresh)


def _add(row: str) -> list[str]:
    """The item `row` counted once more in each of its scopes (a row made if it is the first)."""
    return [
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) "
        f"SELECT {row}.kind, '{whose}', {who}, {_day(row)}, 1 WHERE 1 = 1 "
        "ON CONFLICT (kind, whose, who, day) "
        f"DO UPDATE SET items = {TABLE}.items + 1"
        for whose, who in _scopes(row).items()
    ]


def _take(row: str) -> list[str]:
    """The item `row` counted once less in each of its scopes (a row gone at zero)."""
    statements = []
    for whose, who in _scopes(row).items():
        where = f"kind = {row}.kind AND whose = '{whose}' AND who = {who} AND day = {_day(row)}"
        statements.append(f"UPDATE {TABLE} SET items = items - 1 WHERE {where}")
        statements.append(f"DELETE FROM {TABLE} WHERE {where} AND items = 0")
    return statements


# trigger name -> (table, event, condition or None). The items are only ever deleted and
# inserted (a referral's again, storage.worklist_triggers); an update is counted all the same.
TRIGGERS: dict[str, tuple[str, str, str | None]] = {
    "work_count_insert": ("work_item", "INSERT", None),
    "work_count_delete": ("work_item", "DELETE", None),
    "work_count_update": ("work_item", "UPDATE", None),
}


def bodies(_dialect: str) -> dict[str, list[str]]:
    """The statements each trigger runs (the same SQL on SQLite and PostgreSQL)."""
    return {
        "work_count_insert": _add("NEW"),
        "work_count_delete": _take("OLD"),
        "work_count_update": _take("OLD") + _add("NEW"),
    }


def create_trigger_sql(connection: Connection) -> list[str]:
    return kept_tables.create_sql(connection, TABLE, TRIGGERS, bodies)


def drop_trigger_sql(connection: Connection) -> list[str]:
    return kept_tables.drop_sql(connection, TABLE, TRIGGERS)


def missing_triggers(connection: Connection) -> list[str]:
    return kept_tables.missing(connection, TABLE, TRIGGERS)
