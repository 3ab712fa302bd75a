"""A requisition basis reads the placements that can have days in its period, not the
municipality's whole history: those started since the earliest start the longest enrolment
allows (domain.requisition.earliest_start), one index look-up per day of that window. Ten
times the history, and other municipalities' placements, cost it nothing; a placement
longer than the rules allow (entered by other means) is still on the basis."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from domain import enrolment
from domain.requisition import Period, earliest_start
from services import requisitions
from storage import requisition_queries as queries
from storage.db import unit_of_work
from storage.models import Municipality
from tests.support.bulk import insert_placements
from tests.support.work import work_done

NOVEMBER = Period(date(2027, 11, 1), date(2027, 12, 31))
TODAY = date(2028, 1, 20)


def test_nothing_started_before_the_earliest_start_has_a_day_in_the_period(program):
    day = date(2026, 1, 1)
    while day < date(2029, 1, 1):
        before = earliest_start(program, day) - timedelta(days=1)
        assert enrolment.latest_end(program, before) < day
        assert earliest_start(program, day) == day - relativedelta(months=12)
        day += timedelta(days=1)


def _ids(sessions) -> tuple[int, int]:
    with unit_of_work(sessions) as session:
        found = dict(session.execute(select(Municipality.name, Municipality.id)).all())
    return found["Osby"], found["Kristianstad"]


def _basis_work(sessions):
    osby, _ = _ids(sessions)
    engine = sessions.kw["bind"]
    with unit_of_work(sessions, read_only=True) as session:  # warm: the program is read once
        requisitions.basis(session, actor=None, municipality_id=osby, period=NOVEMBER, today=TODAY)
    with unit_of_work(sessions, read_only=True) as session, work_done(engine) as done:
        basis = requisitions.basis(
            session, actor=None, municipality_id=osby, period=NOVEMBER, today=TODAY
        )
    statements, steps = done
    return basis, len(statements), steps[0]


def _history(sessions, municipality_id: int, times: int) -> None:
    """Placements over with a year and more before the period: none can reach it."""
    with unit_of_work(sessions) as session:
        spans = [
            (date(2026, 1, 5) + timedelta(days=n % 200), date(2026, 8, 1), True)
            for n in range(times)
        ]
        insert_placements(session, municipality_id, spans)


def _full_read_steps(sessions) -> int:
    """The same lines read from every placement of the municipality (the way before)."""
    osby, _ = _ids(sessions)
    engine = sessions.kw["bind"]
    with unit_of_work(sessions, read_only=True) as session, work_done(engine) as done:
        queries.live_lines(session, osby, NOVEMBER.first, NOVEMBER.last)
    return done[1][0]


def test_a_basis_reads_as_much_at_ten_times_the_history(sqlite_sessions):
    osby, kristianstad = _ids(sqlite_sessions)
    with unit_of_work(sqlite_sessions) as session:
        # In the period: 60 placements of Osby, started from the year before to within it.
        spans = [
            (
                date(2026, 12, 1) + timedelta(days=5 * n),
                date(2027, 11, 20) + timedelta(days=n),
                True,
            )
            for n in range(60)
        ]
        insert_placements(session, osby, spans)
    _history(sqlite_sessions, osby, 300)
    small, small_statements, small_steps = _basis_work(sqlite_sessions)
    small_full = _full_read_steps(sqlite_sessions)
    # Ten times the history, and another municipality's placements in the same window.
    _history(sqlite_sessions, osby, 3000)
    with unit_of_work(sqlite_sessions) as session:
        insert_placements(
            session, kristianstad, [(date(2027, 10, 1), date(2027, 12, 1), True)] * 3000
        )
    large, large_statements, large_steps = _basis_work(sqlite_sessions)
    assert large.lines == small.lines and len(small.lines) == 60
    assert large_statements == small_statements
    assert large_steps <= small_steps + 1
    # The way before read every placement of the municipality: it grows with the history.
    assert _full_read_steps(sqlite_sessions) > 3 * max(small_full, 1)


def test_a_placement_longer_than_the_rules_allow_is_still_on_the_basis(sqlite_sessions):
    osby, _ = _ids(sqlite_sessions)
    with unit_of_work(sqlite_sessions) as session:
        insert_placements(
            session,
            osby,
            [
                (date(2026, 2, 2), date(2027, 12, 10), True),  # 22 months: not by the rules
                (date(2027, 6, 1), date(2027, 11, 30), True),
            ],
        )
    basis, _statements, _steps = _basis_work(sqlite_sessions)
    assert [(line.first_day, line.last_day) for line in basis.lines] == [
        (date(2027, 11, 1), date(2027, 12, 10)),
        (date(2027, 11, 1), date(2027, 11, 30)),
    ]
