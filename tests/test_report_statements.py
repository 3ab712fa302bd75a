"""The follow-up reports as use cases (not pages): the budget follow-up, the goal indicators,
Finsam and the steering group's report run the same statements at ten times the placements,
and none of them reads the whole history of a table of placements, requests or events (SQLite's
query plan: a SCAN of such a table reads every row; a SEARCH reads the period's, by index).
Placement money, milestones and counts of new, active and ended come from the kept running
totals (storage.figures)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import Connection, Engine, event

from domain.access import Actor
from domain.choices import Role
from services.budget_follow_up import budget_at_pace, budget_follow_up
from services.finsam_follow_up import finsam
from services.indicator_report import indicators_report
from services.steering_report import steering_report
from storage import accepted_meetings
from storage.db import unit_of_work
from tests.support.bulk import NationalSize, build_national

TODAY = date(2026, 11, 23)
ONCE = NationalSize(municipalities=12, placements=300, open_requests=30, today=TODAY)
# Nine times as many again (and one more municipality, as the builder adds some each time).
TEN_TIMES = NationalSize(municipalities=13, placements=2700, open_requests=270, today=TODAY, seed=2)

# (report, at most this many statements)
REPORTS = {
    "budget follow-up": (
        lambda s: budget_follow_up(s, actor=None, year=2026, to=date(2026, 6, 30), today=TODAY),
        6,
    ),
    # `/mm budget`: the year budget and its pace line, from the running totals and the kept
    # accepted placements per meeting day (storage.accepted_meetings).
    "budget at pace": (
        lambda s: budget_at_pace(s, actor=Actor(1, Role.COORDINATOR), year=2026, today=TODAY),
        3,
    ),
    # The milestones' running totals, the period's kept report totals and its answers at
    # the two edges of the Swedish days, the municipalities' names (storage.report_figures).
    "indicators": (
        lambda s: indicators_report(s, actor=None, first=date(2026, 1, 1), last=TODAY, today=TODAY),
        4,
    ),
    # The second half-year: its utfall is the year's less the first half's, read at once;
    # the participants by gender from two days of the kept report totals.
    "finsam": (lambda s: finsam(s, actor=None, year=2026, half=2, today=TODAY), 6),
    # Indicators, budget follow-up, accruals and free places; the municipalities read once.
    "steering report": (
        lambda s: steering_report(
            s, actor=None, first=date(2026, 7, 1), last=date(2026, 9, 30), today=TODAY
        ),
        18,
    ),
}
HISTORY = ("placement", "referral", "placement_request", "event", "participant")


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, object]]]:
    """Every statement run meanwhile, with its parameters (to ask for its query plan)."""
    found: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, *_args) -> None:
        found.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def _whole_table_reads(connection: Connection, found: list[tuple[str, object]]) -> set[str]:
    reads = set()
    for statement, parameters in found:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        for step in (row[-1] for row in plan):
            if step.startswith("SCAN") and step.split()[1] in HISTORY:
                reads.add(step)
    return reads


def _measure(sessions) -> dict[str, tuple[int, set[str]]]:
    engine = sessions.kw["bind"]
    found_per_report = {}
    for name, (report, _limit) in REPORTS.items():
        with unit_of_work(sessions) as session:
            report(session)  # warm: the program is read once per process and revision
            with statements(engine) as found:
                report(session)
            scans = _whole_table_reads(session.connection(), found)
        found_per_report[name] = (len(found), scans)
    return found_per_report


def test_the_reports_run_as_many_statements_at_ten_times_the_placements(sqlite_sessions):
    with unit_of_work(sqlite_sessions) as session:
        build_national(session, ONCE)
    once = _measure(sqlite_sessions)
    with unit_of_work(sqlite_sessions) as session:
        build_national(session, TEN_TIMES)
    assert _measure(sqlite_sessions) == once
    too_many = {name: count for name, (count, _s) in once.items() if count > REPORTS[name][1]}
    assert too_many == {}
    assert {name: scans for name, (_c, scans) in once.items() if scans} == {}


def test_the_pace_line_sums_the_accepted_meetings_in_day_order(sqlite_sessions):
    """`/mm budget`'s pace line sums every municipality's accepted placements per meeting day:
    SQLite reads the kept rows in day order by their covering index (ix_accepted_meeting_day,
    migration 0032) instead of grouping them all through a temporary B-tree."""
    with unit_of_work(sqlite_sessions) as session:
        build_national(session, ONCE)
    engine = sqlite_sessions.kw["bind"]
    with unit_of_work(sqlite_sessions, read_only=True) as session:
        with statements(engine) as found:
            per_day = accepted_meetings.per_day(session)
        assert per_day  # the bulk data has accepted placements with a meeting booked
        ((statement, parameters),) = found
        plan = [
            row[-1]
            for row in session.connection().exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters
            )
        ]
    assert plan == ["SCAN accepted_meeting USING COVERING INDEX ix_accepted_meeting_day"]
