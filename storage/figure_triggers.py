"""The triggers that keep the maintained figures (storage.figures): the same SQL for SQLite
(trigger bodies) and PostgreSQL (a PL/pgSQL function); only date arithmetic and the trigger
wrapper differ. Migrations create them through storage.figures."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, text

from domain.choices import GOAL_OUTCOMES, Outcome
from domain.enrolment import ASSESSMENT_PLAN_DEADLINE, WORKPLACE_TRAINING_DEADLINE
from domain.figures import COUNTERS
from domain.lifecycle import ReferralStatus
from storage.dates import plus_days_sql

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


@dataclass(frozen=True)
class _Key:
    """A day from which a placement adds to some counters, and what it adds."""

    day: str  # SQL for the key day, in terms of the row alias R
    when: str  # SQL condition: the placement adds to these counters at all
    values: dict[str, str]  # counter -> SQL value


def counter_keys(dialect: str, row: str) -> list[_Key]:
    """The three key days of a placement row (`row` is NEW, OLD or a table alias)."""
    start = f"{row}.started_on"
    end = f"COALESCE({row}.ended_on, {row}.planned_end_on)"
    day_before_start = plus_days_sql(dialect, start, -1)
    budget_end = f"(CASE WHEN {end} < {day_before_start} THEN {day_before_start} ELSE {end} END)"
    plan, training = f"{row}.assessment_plan_on", f"{row}.workplace_training_on"
    plan_limit = plus_days_sql(dialect, start, ASSESSMENT_PLAN_DEADLINE.days)
    training_limit = plus_days_sql(dialect, start, WORKPLACE_TRAINING_DEADLINE.days)
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
        for key in counter_keys(dialect, row):
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
COUNTER_LIST = ", ".join(COUNTERS)
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
            f"INSERT INTO day_figure (municipality_id, day, {COUNTER_LIST}) "
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


# Another kept table's triggers (storage.worklist_triggers) go through the same wrapper with
# their own `triggers` and `bodies`; the defaults stay the figures' own, which the earlier
# migrations create before that table exists.
Triggers = Mapping[str, tuple[str, str, str | None]]


def create_trigger_sql(
    dialect: str,
    names: Iterable[str] = tuple(_TRIGGERS),
    *,
    triggers: Triggers = _TRIGGERS,
    bodies: Callable[[str], dict[str, list[str]]] = _bodies,
) -> list[str]:
    """DDL for the triggers (and on PostgreSQL their functions)."""
    statements_of = bodies(dialect)
    ddl = []
    for name in names:
        table, event, condition = triggers[name]
        statements = ";\n  ".join(statements_of[name])
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


def drop_trigger_sql(
    dialect: str, names: Iterable[str] = tuple(_TRIGGERS), *, triggers: Triggers = _TRIGGERS
) -> list[str]:
    ddl = []
    for name in names:
        table = triggers[name][0]
        if dialect == "sqlite":
            ddl.append(f"DROP TRIGGER IF EXISTS tr_{name}")
        else:
            ddl.append(f"DROP TRIGGER IF EXISTS tr_{name} ON {table}")
            ddl.append(f"DROP FUNCTION IF EXISTS mm_{name}()")
    return ddl


def missing_triggers(connection: Connection, triggers: Triggers = _TRIGGERS) -> list[str]:
    """The figures' triggers that the database lacks (SQLite drops a table's triggers when a
    migration rebuilds the table)."""
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    present = {row[0] for row in connection.execute(text(query))}
    return [name for name in triggers if f"tr_{name}" not in present]
