"""The accepted placements not yet started, counted per municipality and booked meeting day
(`accepted_meeting`), kept by database triggers like the running totals (storage.figures):
what the budget's forecast adds to them. One SQL definition (`_COUNTED`) is the recount of
`rebuild` and `differences` (`mm figures check`), and the triggers add or take away the one
placement that changes. Each function does nothing on a database older than migration 0025,
which has no such table: the earlier migrations recount the figures through storage.figures.

A placement counts while its referral's status is accepted: a placement inserted, deleted or
moved to another day or municipality, and a referral's status changed to or from accepted,
change its day's row in the writer's transaction. A day's row goes when it reaches zero.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from domain.lifecycle import ReferralStatus
from storage import kept_tables
from storage.models import AcceptedMeeting

TABLE = "accepted_meeting"
_COLUMNS = ("municipality_id", "meeting_on", "placements")
ACCEPTED = ReferralStatus.ACCEPTED.value
_COUNTED = (
    "SELECT p.municipality_id AS municipality_id, p.meeting_on AS meeting_on, "
    "COUNT(*) AS placements FROM placement p JOIN referral r ON r.id = p.referral_id "
    f"WHERE r.status = '{ACCEPTED}' AND p.meeting_on IS NOT NULL "
    "GROUP BY p.municipality_id, p.meeting_on"
)


_KEPT = AcceptedMeeting.__table__
# Built once (statements cost more to build than to run on these small answers).
_ROWS = select(_KEPT.c.municipality_id, _KEPT.c.meeting_on, _KEPT.c.placements)
_PER_DAY = select(_KEPT.c.meeting_on, func.sum(_KEPT.c.placements)).group_by(_KEPT.c.meeting_on)


def per_municipality(session: Session) -> list[tuple[int, date, int]]:
    """(municipality_id, meeting day, placements) of the accepted placements not yet started."""
    # .all(): one fetch of every row (PostgreSQL's driver costs ~1 µs a row more one by one).
    return [(m, day, n) for m, day, n in session.execute(_ROWS).all()]


def per_day(session: Session) -> list[tuple[date, int]]:
    """(meeting day, placements) of every municipality's accepted placements together."""
    return [(day, int(n)) for day, n in session.execute(_PER_DAY).all()]


def present(session: Session | Connection) -> bool:
    """Whether the database has the table (from migration 0025 on)."""
    return kept_tables.present(session, TABLE)


def rebuild(session: Session | Connection) -> None:
    """Every day's count again, from the placements and referrals, in this transaction
    (storage.figures.rebuild locks them on PostgreSQL first)."""
    if present(session):
        kept_tables.refill(session, TABLE, _COLUMNS, _COUNTED)


def differences(session: Session) -> list[str]:
    """Where the kept counts differ from a recount (empty when they agree)."""
    if not present(session):
        return []
    kept = {(row[0], row[1]): row[2] for row in session.execute(_ROWS)}
    recounted = session.execute(text(_COUNTED))
    fresh = {(row[0], kept_tables.as_date(row[1])): int(row[2]) for row in recounted}
    return kept_tables.compared(TABLE, kept, fresh)


def _add(municipality: str, meeting: str, source: str, condition: str) -> list[str]:
    """One more placement on its day (the row made if it is the first)."""
    return [
        f"INSERT INTO {TABLE} (municipality_id, meeting_on, placements) "
        f"SELECT {municipality}, {meeting}, 1{source} WHERE {condition} "
        f"AND {meeting} IS NOT NULL "
        "ON CONFLICT (municipality_id, meeting_on) "
        f"DO UPDATE SET placements = {TABLE}.placements + 1"
    ]


def _take(municipality: str, meeting: str, condition: str) -> list[str]:
    """One placement fewer on its day (the row gone at zero)."""
    where = f"municipality_id = {municipality} AND meeting_on = {meeting}"
    return [
        f"UPDATE {TABLE} SET placements = placements - 1 WHERE {where} AND {condition}",
        f"DELETE FROM {TABLE} WHERE {where} AND placements = 0",
    ]


def _accepted(row: str) -> str:
    return f"(SELECT r.status FROM referral r WHERE r.id = {row}.referral_id) = '{ACCEPTED}'"


_OF_REFERRAL = "(SELECT p.{column} FROM placement p WHERE p.referral_id = NEW.id)"
_PLACED = ("municipality_id", "meeting_on")

# trigger name -> (table, event, condition on OLD/NEW or None)
TRIGGERS: dict[str, tuple[str, str, str | None]] = {
    "accepted_placement_insert": ("placement", "INSERT", None),
    "accepted_placement_delete": ("placement", "DELETE", None),
    "accepted_placement_update": (
        "placement",
        f"UPDATE OF {', '.join(_PLACED)}",
        " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in _PLACED),
    ),
    "accepted_referral_status": (
        "referral",
        "UPDATE OF status",
        f"OLD.status IS DISTINCT FROM NEW.status "
        f"AND (OLD.status = '{ACCEPTED}' OR NEW.status = '{ACCEPTED}')",
    ),
}


def bodies(_dialect: str) -> dict[str, list[str]]:
    """The statements each trigger runs (the same SQL on SQLite and PostgreSQL)."""
    municipality, meeting = (_OF_REFERRAL.format(column=c) for c in _PLACED)
    return {
        "accepted_placement_insert": _add(
            "NEW.municipality_id", "NEW.meeting_on", "", _accepted("NEW")
        ),
        "accepted_placement_delete": _take(
            "OLD.municipality_id", "OLD.meeting_on", _accepted("OLD")
        ),
        "accepted_placement_update": [
            *_take("OLD.municipality_id", "OLD.meeting_on", _accepted("OLD")),
            *_add("NEW.municipality_id", "NEW.meeting_on", "", _accepted("NEW")),
        ],
        "accepted_referral_status": [
            *_take(municipality, meeting, f"OLD.status = '{ACCEPTED}'"),
            *_add(
                "p.municipality_id",
                "p.meeting_on",
                " FROM placement p",
                f"p.referral_id = NEW.id AND NEW.status = '{ACCEPTED}'",
            ),
        ],
    }


def create_trigger_sql(connection: Connection) -> list[str]:
    return kept_tables.create_sql(connection, TABLE, TRIGGERS, bodies)


def drop_trigger_sql(connection: Connection) -> list[str]:
    return kept_tables.drop_sql(connection, TABLE, TRIGGERS)


def missing_triggers(connection: Connection) -> list[str]:
    return kept_tables.missing(connection, TABLE, TRIGGERS)
