"""The triggers that keep the worklists' items (`work_item`, storage.models.KeptWorkItem):
every change of a referral, its requests, placement or meetings recomputes that referral's
items in the same statement's transaction, whoever makes the change.

Which rows are items is written once, as the SQL of `items_sql`: the triggers run it for one
referral, `storage.worklist_items.rebuild` for all of them, and `differences` compares the
two. It says which referral is waiting for which kind of work (domain.deadlines.Task) and the
day the work counts from; whether that day falls on today's list is the worklists' reading
(storage.worklist_queries), so nothing here changes with the date. The same SQL serves SQLite
and PostgreSQL; only a moment's day and seconds differ. The wrapper that makes a trigger of
the statements is the figures' (storage.figure_triggers).
"""

from __future__ import annotations

from sqlalchemy import Connection

from domain.deadlines import Task
from domain.lifecycle import ReferralStatus
from domain.meetings import MeetingKind
from storage.dates import day_of_sql, seconds_of_sql
from storage.figure_triggers import create_trigger_sql, drop_trigger_sql, missing_triggers
from storage.models import ALTERNATIVE_PLAN_MISSING, FINAL_REPORT_MISSING

TABLE = "work_item"
COLUMNS = (
    "referral_id",
    "kind",
    "source_id",
    "municipality_id",
    "investigator_id",
    "reference_code",
    "anchor",
    "at_seconds",
    "booked_until",
)
S = ReferralStatus
_FOLLOW_UP = f"m.kind = '{MeetingKind.FOLLOW_UP.value}' AND m.held_on IS NULL"
_PLACEMENT = "JOIN placement p ON p.referral_id = r.id"


def _status(status: ReferralStatus) -> str:
    return f"r.status = '{status.value}'"


def _on_placement(condition: str) -> str:
    """A placement condition of storage.models (the partial indexes'), on the alias p."""
    return " AND ".join(f"p.{term}" for term in condition.split(" AND "))


def _part(
    task: Task,
    *,
    source: str,
    anchor: str,
    join: str,
    where: str,
    seconds: str = "0",
    booked: str = "CAST(NULL AS DATE)",
) -> str:
    return (
        f"SELECT r.id AS referral_id, '{task.value}' AS kind, {source} AS source_id, "
        "r.current_municipality_id AS municipality_id, r.investigator_id AS investigator_id, "
        f"r.reference_code AS reference_code, {anchor} AS anchor, {seconds} AS at_seconds, "
        f"{booked} AS booked_until FROM referral r {join} WHERE {where}"
    )


def _parts(dialect: str) -> list[str]:
    """One SELECT per kind of item, as the worklists have always chosen them."""
    asked, declined = "q.asked_at", "COALESCE(q.answered_at, q.asked_at)"
    follow_ups = f"JOIN meeting m ON m.referral_id = r.id AND {_FOLLOW_UP}"
    parts = [
        _part(
            Task.ANSWER_REQUEST,
            source="q.id",
            anchor=day_of_sql(dialect, asked),
            seconds=seconds_of_sql(dialect, asked),
            join="JOIN placement_request q ON q.referral_id = r.id AND q.answered_at IS NULL",
            where="1 = 1",
        ),
        _part(
            Task.REROUTE,
            source="q.id",
            anchor=day_of_sql(dialect, declined),
            seconds=seconds_of_sql(dialect, declined),
            join="JOIN placement_request q ON q.referral_id = r.id "
            "AND q.municipality_id = r.current_municipality_id",
            where=_status(S.DECLINED),
        ),
    ]
    for task in (Task.RECORD_MEETING, Task.HOLD_MEETING):
        parts.append(
            _part(
                task,
                source="r.id",
                anchor="p.meeting_on",
                join=_PLACEMENT,
                where=_status(S.ACCEPTED),
            )
        )
    for task in (Task.RECORD_FOLLOW_UP, Task.FOLLOW_UP):
        parts.append(
            _part(task, source="m.id", anchor='m."on"', join=follow_ups, where=_status(S.STARTED))
        )
    return parts + _placement_parts()


def _placement_parts() -> list[str]:
    """The kinds read from a running or ended placement: milestones, ends, reports."""
    started = f"{_status(S.STARTED)} AND p.started_on IS NOT NULL"
    booked = f'(SELECT MAX(m."on") FROM meeting m WHERE m.referral_id = r.id AND {_FOLLOW_UP})'
    running = {
        Task.BOOK_FOLLOW_UP: ("p.started_on", started),
        Task.ASSESSMENT_PLAN: (
            "p.started_on",
            f"{started} AND p.assessment_plan_on IS NULL AND p.ended_on IS NULL",
        ),
        Task.WORKPLACE_TRAINING: (
            "p.started_on",
            f"{started} AND p.workplace_training_on IS NULL AND p.ended_on IS NULL",
        ),
        Task.ENDING: (
            "p.planned_end_on",
            f"{_status(S.STARTED)} AND p.planned_end_on IS NOT NULL",
        ),
        Task.FINAL_REPORT: (
            "p.ended_on",
            f"{_status(S.ENDED)} AND {_on_placement(FINAL_REPORT_MISSING)}",
        ),
        Task.ALTERNATIVE_PLAN: (
            "p.ended_on",
            f"{_status(S.ENDED)} AND {_on_placement(ALTERNATIVE_PLAN_MISSING)}",
        ),
    }
    return [
        _part(
            task,
            source="r.id",
            anchor=anchor,
            join=_PLACEMENT,
            where=where,
            booked=booked if task is Task.BOOK_FOLLOW_UP else "CAST(NULL AS DATE)",
        )
        for task, (anchor, where) in running.items()
    ]


def items_sql(dialect: str, referral: str | None = None) -> str:
    """Every item (or one referral's: `referral` is SQL for its id, e.g. NEW.referral_id)."""
    only = f" AND r.id = {referral}" if referral is not None else ""
    return " UNION ALL ".join(part + only for part in _parts(dialect))


def _refresh(dialect: str, referral: str) -> list[str]:
    """One referral's items again. PostgreSQL: the referral's row is locked first (as the use
    cases lock it, storage.queries.lock_referral), so that two transactions changing the
    same referral recompute its items one after the other."""
    lock = (
        [f"PERFORM 1 FROM referral WHERE id = {referral} FOR NO KEY UPDATE"]
        if dialect == "postgresql"
        else []
    )
    return [
        *lock,
        f"DELETE FROM {TABLE} WHERE referral_id = {referral}",
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) "
        f"SELECT {', '.join(COLUMNS)} FROM ({items_sql(dialect, referral)}) AS items",
    ]


def _changed(columns: tuple[str, ...]) -> tuple[str, str]:
    return (
        "UPDATE OF " + ", ".join(f'"{c}"' for c in columns),
        " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in columns),
    )


# What an item reads of each table; a row never moves to another referral.
_READ = {
    "referral": ("status", "current_municipality_id", "investigator_id", "reference_code"),
    "placement": (
        "meeting_on",
        "started_on",
        "planned_end_on",
        "ended_on",
        "assessment_plan_on",
        "workplace_training_on",
        "outcome",
        "alternative_plan_on",
        "final_report_on",
    ),
    "placement_request": ("municipality_id", "asked_at", "answered_at"),
    "meeting": ("kind", "on", "held_on"),
}

# trigger name -> (table, event, condition on OLD/NEW or None), and the referral it refreshes
TRIGGERS: dict[str, tuple[str, str, str | None]] = {
    "work_referral_update": ("referral", *_changed(_READ["referral"])),
    "work_referral_delete": ("referral", "DELETE", None),
}
_REFERRAL = {"work_referral_update": "NEW.id", "work_referral_delete": "OLD.id"}
for _table in ("placement", "placement_request", "meeting"):
    TRIGGERS[f"work_{_table}_insert"] = (_table, "INSERT", None)
    TRIGGERS[f"work_{_table}_update"] = (_table, *_changed(_READ[_table]))
    TRIGGERS[f"work_{_table}_delete"] = (_table, "DELETE", None)
    _REFERRAL[f"work_{_table}_insert"] = "NEW.referral_id"
    _REFERRAL[f"work_{_table}_update"] = "NEW.referral_id"
    _REFERRAL[f"work_{_table}_delete"] = "OLD.referral_id"


def bodies(dialect: str) -> dict[str, list[str]]:
    """The statements each trigger runs, by trigger."""
    found = {name: _refresh(dialect, referral) for name, referral in _REFERRAL.items()}
    found["work_referral_delete"] = [f"DELETE FROM {TABLE} WHERE referral_id = OLD.id"]
    return found


def create_sql(dialect: str) -> list[str]:
    return create_trigger_sql(dialect, TRIGGERS, triggers=TRIGGERS, bodies=bodies)


def drop_sql(dialect: str) -> list[str]:
    return drop_trigger_sql(dialect, TRIGGERS, triggers=TRIGGERS)


def missing(connection: Connection) -> list[str]:
    return missing_triggers(connection, TRIGGERS)
