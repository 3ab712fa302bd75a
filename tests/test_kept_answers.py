"""Answers kept while the database reads the same (services.kept_answers, storage.db_revision),
on SQLite and PostgreSQL: given again to a reader of the same data, never to a reader after a
write committed by this connection, another connection or another process, nor to a unit of
work that may write."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from decimal import Decimal
from itertools import count

import pytest
from sqlalchemy import select, update

from domain.access import Actor
from domain.choices import Role
from domain.errors import NotAllowed
from services import reports
from services.budget_follow_up import follow_up_for_reader
from services.kept_answers import LIMIT, kept
from services.steering_report import steering_report
from storage.db import make_engine, session_factory, unit_of_work
from storage.models import CostOutcome, Municipality
from tests.support.clock import moment

_names = count(1)
TODAY = date(2026, 11, 23)


def _capacity(session) -> int:
    return session.scalar(select(Municipality.capacity).where(Municipality.name == "Osby"))


def _set_capacity(factory, capacity: int) -> None:
    with unit_of_work(factory) as session:
        session.execute(
            update(Municipality).where(Municipality.name == "Osby").values(capacity=capacity)
        )


class Counted:
    """What a kept answer works out (here: Osby's capacity), and how often it did."""

    def __init__(self) -> None:
        self.name = f"test answer {next(_names)}"
        self.times = 0

    def read(self, factory, *, read_only: bool = True) -> int:
        with unit_of_work(factory, read_only=read_only) as session:
            return kept(session, self.name, (), lambda: self._work(session))

    def _work(self, session) -> int:
        self.times += 1
        return _capacity(session)


def test_an_answer_is_given_again_until_this_connection_writes(sessions):
    answer = Counted()
    _set_capacity(sessions, 11)
    assert [answer.read(sessions), answer.read(sessions)] == [11, 11]
    assert answer.times == 1
    # One thread's units of work take the same pooled connection: its own commit renews the
    # key (on SQLite, where the connection's data_version does not count its own changes).
    _set_capacity(sessions, 12)
    assert answer.read(sessions) == 12
    assert answer.times == 2


def test_many_answers_of_one_name_push_out_only_their_own(sessions):
    """The limit is per name: an answer for each of many chat users does not push a report
    out; the least recently asked for of that name goes first."""
    report = Counted()
    assert report.read(sessions) == report.read(sessions)
    askers = [Counted() for _ in range(3)]
    for asker in askers:  # one name, many arguments: the chat's askers
        asker.name = "test askers"
    with unit_of_work(sessions, read_only=True) as session:
        for user in range(LIMIT + 5):
            kept(session, "test askers", user, lambda: askers[0]._work(session))
        assert askers[0].times == LIMIT + 5
        kept(session, "test askers", LIMIT + 4, lambda: askers[1]._work(session))
        kept(session, "test askers", 0, lambda: askers[2]._work(session))
    assert (askers[1].times, askers[2].times) == (0, 1)  # the newest kept, the oldest gone
    assert report.read(sessions) == _capacity_now(sessions)
    assert report.times == 1


def _capacity_now(sessions) -> int:
    with unit_of_work(sessions, read_only=True) as session:
        return _capacity(session)


def test_a_write_by_another_connection_renews_it(sessions, database_url):
    answer = Counted()
    assert answer.read(sessions) == answer.read(sessions)
    other = make_engine(database_url)
    try:
        _set_capacity(session_factory(other), 21)
    finally:
        other.dispose()
    assert answer.read(sessions) == 21
    assert answer.times == 2


def test_a_write_by_another_process_renews_it(sessions, database_url):
    answer = Counted()
    assert answer.read(sessions) == answer.read(sessions)
    script = (
        "import sys; from sqlalchemy import update\n"
        "from storage.db import make_engine, session_factory, unit_of_work\n"
        "from storage.models import Municipality\n"
        "with unit_of_work(session_factory(make_engine(sys.argv[1]))) as s:\n"
        "    s.execute(update(Municipality).where(Municipality.name == 'Osby')"
        ".values(capacity=31))\n"
    )
    subprocess.run([sys.executable, "-c", script, database_url], check=True)
    assert answer.read(sessions) == 31
    assert answer.times == 2


def test_an_answer_kept_while_a_writer_ran_is_not_given_after_it_commits(sessions, database_url):
    """A reader that starts while another transaction has written but not committed reads
    (and keeps) the data before it; once it commits, the next reader's key is new."""
    _set_capacity(sessions, 5)
    answer = Counted()
    other = make_engine(database_url)
    try:
        with unit_of_work(session_factory(other)) as writer:
            writer.execute(
                update(Municipality).where(Municipality.name == "Osby").values(capacity=6)
            )
            writer.flush()
            assert answer.read(sessions) == 5
        assert answer.read(sessions) == 6
    finally:
        other.dispose()
    assert answer.times == 2


def test_a_unit_of_work_that_may_write_keeps_nothing(sessions):
    answer = Counted()
    with unit_of_work(sessions) as session:
        session.execute(update(Municipality).where(Municipality.name == "Osby").values(capacity=41))
        # Its own change, not yet committed: never kept for anyone else.
        assert kept(session, answer.name, (), lambda: answer._work(session)) == 41
        session.rollback()
    assert answer.read(sessions) != 41
    assert answer.read(sessions, read_only=False) == answer.read(sessions)
    assert answer.times == 3  # the writer's own, the first read-only one, another writer's


def test_the_steering_report_shows_a_change_at_once(sessions):
    """The steering group report is kept as a whole: after a municipality's capacity changes
    its free places are the new ones, as a report worked out afresh (in a unit of work that
    may write, which keeps nothing) says."""

    def report(*, read_only: bool = True):
        with unit_of_work(sessions, read_only=read_only) as session:
            return steering_report(
                session, actor=None, first=date(2026, 7, 1), last=date(2026, 9, 30), today=TODAY
            )

    before = report()
    assert report() is before  # kept: the same answer, not worked out again
    _set_capacity(sessions, 99)
    after = report()
    assert after is not before
    assert after == report(read_only=False)
    osby = next(m for m in after.places.municipalities if m.municipality == "Osby")
    assert osby.capacity == 99


def test_the_budget_follow_up_is_kept_for_those_who_may_see_it(sessions):
    """The follow-up a page reads is kept while the database reads the same, per year,
    cut-off and typed intake; who asks is checked every time, a kept answer or not."""
    coordinator, investigator = Actor(1, Role.COORDINATOR), Actor(2, Role.INVESTIGATOR)

    def read(actor, *, read_only: bool = True, typed: Decimal | None = None):
        with unit_of_work(sessions, read_only=read_only) as session:
            return follow_up_for_reader(
                session, actor=actor, year=2026, to=TODAY, today=TODAY, typed_intake=typed
            )

    before = read(coordinator)
    assert read(Actor(3, Role.ASSOCIATION)) is before  # kept: not worked out again
    with pytest.raises(NotAllowed):
        read(investigator)
    typed = read(coordinator, typed=Decimal(4))
    assert typed is not before
    assert typed == read(coordinator, typed=Decimal(4), read_only=False)
    with unit_of_work(sessions) as session:  # the association's books: an utfall entered
        session.add(
            CostOutcome(
                year=2026,
                label="Övrig administration",
                through=date(2026, 10, 31),
                amount_ore=1_234_500,
                entered_at=moment(TODAY),
            )
        )
    after = read(coordinator)
    assert after != before
    assert after == read(coordinator, read_only=False)
    entered = next(line for line in after.other_costs if line.label == "Övrig administration")
    assert entered.accrued.ore == 1_234_500


def test_the_places_budgets_and_indicators_are_kept_until_the_data_changes(sessions, program):
    """The reports every page and chat answer reads (services.reports) are kept while the
    database reads the same, each under the program it was worked out for."""

    def read(*, read_only: bool = True, **asked):
        with unit_of_work(sessions, read_only=read_only) as session:
            return (
                reports.availability(session),
                reports.all_years(session, today=TODAY, **asked),
                reports.indicators(session, today=TODAY, **asked),
            )

    places, years, goals = read()
    again = read()
    assert again[0].municipalities is places.municipalities
    assert [a is b for a, b in zip(again[1] + again[2], years + goals, strict=True)] == [True] * 7
    # Another program (its budget doubled) in the same state of the data: its own answer.
    doubled = replace(program, years=tuple(replace(y, budget=y.budget * 2) for y in program.years))
    _places, other_years, _goals = read(program=doubled)
    assert [y.budget for y in other_years] == [y.budget * 2 for y in years]
    _set_capacity(sessions, 77)
    renewed = read()
    assert renewed[0].municipalities is not places.municipalities
    assert renewed == read(read_only=False)
    osby = next(m for m in renewed[0].municipalities if m.municipality == "Osby")
    assert osby.capacity == 77


def test_an_equal_answer_worked_out_on_another_connection_is_held_once(sessions, database_url):
    """Each SQLite connection has keys of its own (and each engine on PostgreSQL): a second
    reader of the same data works the answer out again, but the one already held is kept,
    not a second copy (a steering group report is ~1 MB)."""
    name = f"test answer {next(_names)}"

    def read(factory):
        with unit_of_work(factory, read_only=True) as session:
            return kept(session, name, (), lambda: (_capacity(session), "Osby"))

    other = make_engine(database_url)
    try:
        first, second = read(sessions), read(session_factory(other))
        assert second == first
        assert second is first
        _set_capacity(sessions, 51)
        assert read(session_factory(other)) == (51, "Osby")
    finally:
        other.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_readers_of_a_new_state_wait_for_the_one_working_it_out(sessions):
    """A burst after a write: on PostgreSQL (one key for all of a process's connections) the
    threads that ask while the answer is being worked out wait for it; if the one working it
    out fails, each of them works it out after all. (On SQLite each connection has keys of
    its own: its threads have nothing to wait for.)"""
    name, calls, started = f"test answer {next(_names)}", [], threading.Event()

    def read(fail_first: bool) -> object:
        with unit_of_work(sessions, read_only=True) as session:

            def work() -> tuple[int, str]:
                calls.append(threading.get_ident())
                started.set()
                time.sleep(0.3)  # long enough for the others to ask meanwhile
                if fail_first and len(calls) == 1:
                    raise RuntimeError("the first one fails")
                return (_capacity(session), "Osby")

            return kept(session, name, (), work)

    # Failing: the waiters work it out again, at least one of them (the others may have
    # found its answer kept by then, or worked it out beside it).
    for fail_first, expected_calls in ((False, {1}), (True, {2, 3, 4, 5})):
        name, calls[:] = f"test answer {next(_names)}", []
        started.clear()
        with ThreadPoolExecutor(max_workers=5) as pool:
            first = pool.submit(read, fail_first)
            started.wait(5)
            others = [pool.submit(read, fail_first) for _ in range(4)]
            answers = [f.result() for f in others]
        assert len(calls) in expected_calls
        assert len({id(a) for a in answers}) == 1 or fail_first
        if fail_first:
            with pytest.raises(RuntimeError):
                first.result()
        else:
            assert first.result() is answers[0]
