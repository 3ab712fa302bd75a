"""The SQL that keeps the period reports' figures (`report_day`, storage.models.ReportDay):
running totals per municipality and day of what the goal indicators, the steering report and
Finsam count, so that a period is the difference of two days' rows (storage.report_figures).

What each placement and request adds, and from which day, is written once, as the SQL of
`contributions_sql`: `rebuild` sums it for every row, `differences` compares that with the
kept totals, and the triggers run it for the one row that changes, taking away what it added
before the change (a BEFORE trigger, which still sees the old row) and adding what it adds
after (an AFTER trigger). A row's contribution reads only its own row and the referral and
request it belongs to, so that a statement changing several rows (PostgreSQL runs AFTER row
triggers at the end of the statement) still takes away and adds each row's own part once.

Key days: a placement's start (`starts_*`, the tripartite meeting's days from the acceptance),
its actual end (`ended_*`, `ends_*`), the day it stopped counting as placed (`gone_*`: its
actual end, else its planned end, never before its start; its start when it has neither), and
the UTC day of a request's answer (`answers`, whose Swedish day the reader corrects at the
period's two edges). A day before the program counts on its first day; one after its last
day on none (as storage.figures)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, text

from domain.lifecycle import RequestAnswer
from storage.dates import day_of_sql, days_between_sql, seconds_of_sql
from storage.models.report_figures import GENDERS, OUTCOME_COUNTERS, REPORT_COUNTERS
from storage.models.report_figures import UNKNOWN_GENDER as UNKNOWN

TABLE = "report_day"
COUNTERS = REPORT_COUNTERS
_ANSWERED = ", ".join(f"'{a.value}'" for a in (RequestAnswer.ACCEPTED, RequestAnswer.DECLINED))


_ANSWER_MOMENTS = (("q", "answered_at"), ("s", "submitted_at"))


def _gender_flags(kind: str) -> dict[str, str]:
    flags = {f"{kind}_{g}": f"(CASE WHEN r.gender = '{g}' THEN 1 ELSE 0 END)" for g in GENDERS}
    flags[f"{kind}_{UNKNOWN}"] = "(CASE WHEN r.gender IS NULL THEN 1 ELSE 0 END)"
    return flags


def _select(municipality: str, day: str, values: dict[str, str], rest: str) -> str:
    """One part: its key day clamped to the program's first day, none after its last."""
    first, last = "(SELECT MIN(day) FROM compensable_day)", "(SELECT MAX(day) FROM compensable_day)"
    columns = ", ".join(f"{values.get(name, '0')} AS {name}" for name in COUNTERS)
    return (
        f"SELECT {municipality} AS municipality_id, "
        f"CASE WHEN {day} < {first} THEN {first} ELSE {day} END AS day, {columns} "
        f"{rest} AND {day} <= {last}"
    )


def contributions_sql(
    dialect: str, *, placements: str | None = None, requests: str | None = None
) -> str:
    """Every placement's and answered request's contributions at their key days, or only
    those of the rows the conditions name (SQL on the aliases p and q; "1 = 0": none)."""
    on_p = f" AND ({placements})" if placements is not None else ""
    on_q = f" AND ({requests})" if requests is not None else ""
    referral = "JOIN referral r ON r.id = p.referral_id"
    start, end = "p.started_on", "COALESCE(p.ended_on, p.planned_end_on)"
    gone = f"(CASE WHEN {end} IS NULL OR {end} < {start} THEN {start} ELSE {end} END)"
    answered = day_of_sql(dialect, "a.answered_at")
    meeting_days = days_between_sql(dialect, answered, start)
    outcomes = {
        name: f"(CASE WHEN p.outcome = '{o.value}' THEN 1 ELSE 0 END)"
        for o, name in OUTCOME_COUNTERS.items()
    }
    seconds = (
        f"{seconds_of_sql(dialect, 'q.answered_at')} - {seconds_of_sql(dialect, 's.submitted_at')}"
    )
    return " UNION ALL ".join(
        [
            _select(
                "p.municipality_id",
                "p.ended_on",
                {**outcomes, **_gender_flags("ends")},
                f"FROM placement p {referral} WHERE p.ended_on IS NOT NULL{on_p}",
            ),
            _select(
                "p.municipality_id",
                start,
                {
                    **_gender_flags("starts"),
                    "meetings": "(CASE WHEN a.answered_at IS NOT NULL THEN 1 ELSE 0 END)",
                    "meeting_days": f"COALESCE({meeting_days}, 0)",
                },
                f"FROM placement p {referral} "
                f"LEFT JOIN placement_request a ON a.id = p.request_id "
                f"WHERE {start} IS NOT NULL{on_p}",
            ),
            _select(
                "p.municipality_id",
                gone,
                _gender_flags("gone"),
                f"FROM placement p {referral} WHERE {start} IS NOT NULL{on_p}",
            ),
            _select(
                "q.municipality_id",
                day_of_sql(dialect, "q.answered_at"),
                {"answers": "1", "answer_seconds": seconds},
                "FROM placement_request q JOIN referral s ON s.id = q.referral_id "
                f"WHERE q.answer IN ({_ANSWERED}) AND q.answered_at IS NOT NULL "
                f"AND s.submitted_at IS NOT NULL{on_q}",
            ),
        ]
    )


def _summed(dialect: str, **only: str | None) -> str:
    sums = ", ".join(f"SUM({name}) AS {name}" for name in COUNTERS)
    return (
        f"SELECT municipality_id, day, {sums} FROM ({contributions_sql(dialect, **only)}) AS c "
        "GROUP BY municipality_id, day"
    )


def recomputed_sql(dialect: str) -> str:
    """Every municipality's running totals on every day of the program, from scratch."""
    zeros = ", ".join(f"0 AS {name}" for name in COUNTERS)
    every_day = (
        f"SELECT m.id AS municipality_id, d.day AS day, {zeros} "
        "FROM municipality m CROSS JOIN compensable_day d"
    )
    sums = ", ".join(f"SUM({name}) AS {name}" for name in COUNTERS)
    running = ", ".join(
        f"SUM({name}) OVER (PARTITION BY municipality_id ORDER BY day) AS {name}"
        for name in COUNTERS
    )
    return (
        f"SELECT municipality_id, day, {running} FROM (SELECT municipality_id, day, {sums} "
        f"FROM ({_summed(dialect)} UNION ALL {every_day}) AS parts "
        "GROUP BY municipality_id, day) AS per_day"
    )


def _delta(dialect: str, sign: str, **only: str | None) -> str:
    """Adds (sign "+") or takes away ("-") the named rows' contributions: each of their key
    days adds to every later day of its municipality, so the update joins every kept day to
    the running sum of the contributions up to it (a handful of key days, each covering the
    days up to the next)."""
    running = ", ".join(
        f"SUM({name}) OVER (PARTITION BY municipality_id ORDER BY day) AS {name}"
        for name in COUNTERS
    )
    steps = (
        f"SELECT municipality_id, day, LEAD(day) OVER (PARTITION BY municipality_id "
        f"ORDER BY day) AS until, {running} FROM ({_summed(dialect, **only)}) AS s"
    )
    assignments = ", ".join(f"{name} = {TABLE}.{name} {sign} k.{name}" for name in COUNTERS)
    return (
        f"UPDATE {TABLE} SET {assignments} FROM ({steps}) AS k "
        f"WHERE {TABLE}.municipality_id = k.municipality_id AND {TABLE}.day >= k.day "
        f"AND (k.until IS NULL OR {TABLE}.day < k.until)"
    )


def _changed(columns: Iterable[str]) -> tuple[str, str]:
    columns = tuple(columns)
    return (
        "UPDATE OF " + ", ".join(columns),
        " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns),
    )


_PLACEMENT: tuple[str, ...] = ("referral_id", "request_id", "municipality_id", "started_on")
_PLACEMENT += ("planned_end_on", "ended_on", "outcome")
_REQUEST = ("referral_id", "municipality_id", "answer", "answered_at")
_REFERRAL = ("submitted_at", "gender")


def _rows(row: str) -> dict[str, dict[str, str]]:
    """The rows whose contributions a change of each table touches (`row`: OLD or NEW)."""
    return {
        "placement": {"placements": f"p.id = {row}.id", "requests": "1 = 0"},
        "placement_request": {  # its placement, found by the referral's unique index
            "placements": f"p.referral_id = {row}.referral_id AND p.request_id = {row}.id",
            "requests": f"q.id = {row}.id",
        },
        "referral": {
            "placements": f"p.referral_id = {row}.id",
            "requests": f"q.referral_id = {row}.id",
        },
    }


# trigger name -> (BEFORE or AFTER, table, event, condition or None, row, sign)
TRIGGERS: dict[str, tuple[str, str, str, str | None, str, str]] = {}
for _table, _columns in (
    ("placement", _PLACEMENT),
    ("placement_request", _REQUEST),
    ("referral", _REFERRAL),
):
    _event, _condition = _changed(_columns)
    TRIGGERS[f"report_{_table}_taken"] = ("BEFORE", _table, _event, _condition, "OLD", "-")
    TRIGGERS[f"report_{_table}_added"] = ("AFTER", _table, _event, _condition, "NEW", "+")
    if _table != "referral":  # a referral's placement and requests go before it does
        TRIGGERS[f"report_{_table}_insert"] = ("AFTER", _table, "INSERT", None, "NEW", "+")
        TRIGGERS[f"report_{_table}_delete"] = ("BEFORE", _table, "DELETE", None, "OLD", "-")
_MUNICIPALITY = "report_municipality_insert"


def _body(dialect: str, name: str) -> str:
    if name == _MUNICIPALITY:
        zeros = ", ".join("0" for _ in COUNTERS)
        return (
            f"INSERT INTO {TABLE} (municipality_id, day, {', '.join(COUNTERS)}) "
            f"SELECT NEW.id, day, {zeros} FROM compensable_day"
        )
    _when, table, _event, _condition, row, sign = TRIGGERS[name]
    delta = _delta(dialect, sign, **_rows(row)[table])
    if dialect != "postgresql":  # SQLite has one writer at a time
        return delta
    # The referral's row locked first (as the use cases and the worklists' triggers lock it),
    # so that two transactions changing a referral and its placement or requests at once
    # take away and add its parts one after the other, each reading what the other committed.
    referral = f"{row}.id" if table == "referral" else f"{row}.referral_id"
    return f"PERFORM 1 FROM referral WHERE id = {referral} FOR NO KEY UPDATE;\n  {delta}"


def _all() -> dict[str, tuple[str, str, str, str | None, str]]:
    found = {name: (t[0], t[1], t[2], t[3], t[4]) for name, t in TRIGGERS.items()}
    found[_MUNICIPALITY] = ("AFTER", "municipality", "INSERT", None, "NEW")
    return found


def create_sql(dialect: str) -> list[str]:
    """DDL for the triggers (and on PostgreSQL their functions)."""
    ddl = []
    for name, (when, table, event, condition, _row) in _all().items():
        body = _body(dialect, name)
        if dialect == "sqlite":
            only = f" WHEN {condition.replace('IS DISTINCT FROM', 'IS NOT')}" if condition else ""
            ddl.append(
                f"CREATE TRIGGER tr_{name} {when} {event} ON {table} FOR EACH ROW{only}\n"
                f"BEGIN\n  {body};\nEND"
            )
            continue
        # A BEFORE trigger lets the change go on: the new row of an update, the old of a delete.
        result = "NULL" if when == "AFTER" else ("OLD" if event == "DELETE" else "NEW")
        ddl.append(
            f"CREATE FUNCTION mm_{name}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
            f"BEGIN\n  {body};\n  RETURN {result};\nEND\n$body$"
        )
        only = f" WHEN ({condition})" if condition else ""
        ddl.append(
            f"CREATE TRIGGER tr_{name} {when} {event} ON {table} FOR EACH ROW{only} "
            f"EXECUTE FUNCTION mm_{name}()"
        )
    return ddl


def drop_sql(dialect: str) -> list[str]:
    ddl = []
    for name, (_when, table, _event, _condition, _row) in _all().items():
        if dialect == "sqlite":
            ddl.append(f"DROP TRIGGER IF EXISTS tr_{name}")
        else:
            ddl.append(f"DROP TRIGGER IF EXISTS tr_{name} ON {table}")
            ddl.append(f"DROP FUNCTION IF EXISTS mm_{name}()")
    return ddl


def missing(connection: Connection) -> list[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    present = {row[0] for row in connection.execute(text(query))}
    return [name for name in _all() if f"tr_{name}" not in present]
