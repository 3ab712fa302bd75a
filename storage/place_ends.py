"""The places in use per municipality and plan (`place_end`, storage.models.PlaceEnd), kept by
database triggers in the same transaction as every change of a placement or of its referral's
status, so that the next-free estimate (domain.forecast) reads a few rows per municipality
instead of joining every placement of the country with its referral on each request.

A place in use (referral accepted or started) counts from one day: a started placement's
planned end (its actual end if recorded), otherwise the tripartite meeting (the day it was
held, or as booked). Which one is written once, as the SQL of `_plan`: the triggers add and
take away single placements' contributions with it, `rebuild` and `differences` count every
placement with it. The expected end of a plan counted from a meeting depends on the program
(domain.enrolment.planned_end): that stays in Python, worked out once per distinct plan.

Like storage.worklist_items, each function does nothing on a database older than migration
0023, which has no such table (the earlier migrations recount the figures through storage.figures).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from domain.lifecycle import ACTIVE_AT_MUNICIPALITY, ReferralStatus
from storage import kept_tables
from storage.models import PlaceEnd

TABLE = "place_end"
COLUMNS = ("municipality_id", "kind", "day", "places")
ENDS, MEETING = PlaceEnd.ENDS, PlaceEnd.MEETING
_ACTIVE = ", ".join(f"'{s.value}'" for s in sorted(ACTIVE_AT_MUNICIPALITY))
_STARTED = ReferralStatus.STARTED.value


def _plan(row: str, status: str) -> tuple[str, str, str]:
    """SQL for whether the placement `row` (an alias, NEW or OLD) with its referral's `status`
    takes a place, and the kind and day its expected end is counted from."""
    ends = f"COALESCE({row}.ended_on, {row}.planned_end_on)"
    has_end = f"({status} = '{_STARTED}' AND {ends} IS NOT NULL)"
    return (
        f"{status} IN ({_ACTIVE})",
        f"CASE WHEN {has_end} THEN '{ENDS}' ELSE '{MEETING}' END",
        f"CASE WHEN {has_end} THEN {ends} ELSE COALESCE({row}.started_on, {row}.meeting_on) END",
    )


def _contribution(row: str, status: str, sign: int, source: str = "", where: str = "") -> str:
    takes, kind, day = _plan(row, status)
    return (
        f"SELECT {row}.municipality_id AS municipality_id, {kind} AS kind, {day} AS day, "
        f"{sign} AS places {source} WHERE {takes}{where}"
    )


def recount_sql() -> str:
    """Every municipality's places in use per plan, counted from the placements."""
    joined = "FROM placement p JOIN referral r ON r.id = p.referral_id"
    each = _contribution("p", "r.status", 1, joined)
    return (
        "SELECT municipality_id, kind, day, COUNT(*) AS places "
        f"FROM ({each}) AS c GROUP BY municipality_id, kind, day"
    )


def _apply(contributions: list[str], municipalities: str) -> list[str]:
    """Adds the contributions (one statement, its rows in key order, so that two transactions
    on PostgreSQL lock the rows they share in the same order), then drops the rows left at 0."""
    union = " UNION ALL ".join(contributions)
    key = "municipality_id, kind, day"
    return [
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) "
        f"SELECT {key}, SUM(places) FROM ({union}) AS c WHERE 1 = 1 "
        f"GROUP BY {key} HAVING SUM(places) <> 0 ORDER BY {key} "
        f"ON CONFLICT ({key}) DO UPDATE SET places = {TABLE}.places + excluded.places",
        f"DELETE FROM {TABLE} WHERE places = 0 AND municipality_id IN ({municipalities})",
    ]


def _status_of(row: str) -> str:
    return f"(SELECT r.status FROM referral r WHERE r.id = {row}.referral_id)"


_PLACEMENT_COLUMNS = ("municipality_id", "meeting_on", "started_on", "planned_end_on", "ended_on")
_OF_REFERRAL = "FROM placement p"
_REFERRAL_WHERE = " AND p.referral_id = NEW.id"

# trigger name -> (table, event, condition on OLD/NEW or None)
TRIGGERS: dict[str, tuple[str, str, str | None]] = {
    "place_end_placement_insert": ("placement", "INSERT", None),
    "place_end_placement_delete": ("placement", "DELETE", None),
    "place_end_placement_update": (
        "placement",
        f"UPDATE OF {', '.join(_PLACEMENT_COLUMNS)}",
        " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in _PLACEMENT_COLUMNS),
    ),
    "place_end_referral_status": (
        "referral",
        "UPDATE OF status",
        "OLD.status IS DISTINCT FROM NEW.status",
    ),
}


def bodies(dialect: str) -> dict[str, list[str]]:
    """The statements each trigger runs, by trigger (the same SQL on both databases)."""
    new, old = _status_of("NEW"), _status_of("OLD")
    of_referral = "(SELECT p.municipality_id FROM placement p WHERE p.referral_id = NEW.id)"
    return {
        "place_end_placement_insert": _apply([_contribution("NEW", new, 1)], "NEW.municipality_id"),
        "place_end_placement_delete": _apply(
            [_contribution("OLD", old, -1)], "OLD.municipality_id"
        ),
        "place_end_placement_update": _apply(
            [_contribution("OLD", old, -1), _contribution("NEW", new, 1)],
            "OLD.municipality_id, NEW.municipality_id",
        ),
        "place_end_referral_status": _apply(
            [
                _contribution("p", "OLD.status", -1, _OF_REFERRAL, _REFERRAL_WHERE),
                _contribution("p", "NEW.status", 1, _OF_REFERRAL, _REFERRAL_WHERE),
            ],
            of_referral,
        ),
    }


def present(session: Session | Connection) -> bool:
    """Whether the database has the table (from migration 0023 on)."""
    return kept_tables.present(session, TABLE)


def rebuild(session: Session | Connection) -> None:
    """Every municipality's places in use again, from the placements, in this transaction."""
    if present(session):
        kept_tables.refill(session, TABLE, COLUMNS, recount_sql())


def _row(row: Any) -> tuple[tuple[int, str, date], int]:
    return (row[0], row[1], kept_tables.as_date(row[2])), int(row[3])


def differences(session: Session) -> list[str]:
    """Where the kept places in use differ from a recount (empty when they agree)."""
    if not present(session):
        return []
    columns = [getattr(PlaceEnd, name) for name in COLUMNS]
    kept = dict(_row(row) for row in session.execute(select(*columns)))
    fresh = dict(_row(row) for row in session.execute(text(recount_sql())))
    return kept_tables.compared(TABLE, kept, fresh)


def create_trigger_sql(connection: Connection) -> list[str]:
    return kept_tables.create_sql(connection, TABLE, TRIGGERS, bodies)


def drop_trigger_sql(connection: Connection) -> list[str]:
    return kept_tables.drop_sql(connection, TABLE, TRIGGERS)


def missing_triggers(connection: Connection) -> list[str]:
    return kept_tables.missing(connection, TABLE, TRIGGERS)
