"""The worklists' kept counts (`work_count`, storage.worklist_counts): after any changes a
worklist's count of each kind, for everyone, a municipality and an investigator, on any day,
is the count of the kept items themselves; `mm figures check` finds a wrong count, a missing
one and one too many, and `mm figures rebuild` recounts them. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from sqlalchemy import delete, func, insert, select, update

from domain.deadlines import (
    COORDINATOR_TASKS,
    INVESTIGATOR_TASKS,
    MUNICIPALITY_TASKS,
    REQUISITION_TASKS,
)
from domain.lifecycle import ReferralStatus
from storage import figures
from storage import worklist_queries as queries
from storage.db import unit_of_work
from storage.models import KeptWorkItem, Municipality, WorkCount
from storage.worklist_queries import Scope
from tests.support.transactions import run_transactions, transactions_of
from tests.test_figures import _apply, _new_placement, change, days

W = KeptWorkItem


def _items_counted(session, tasks, scope: Scope, today: date, horizon: date) -> dict:
    """Each kind's count walked over the kept items, by the lists' own conditions."""
    shape = queries._shape(scope)
    params = queries._params(tasks, scope, today, horizon)
    return {
        t: session.scalar(
            select(func.count()).select_from(W).where(*queries._where(t, shape)), params
        )
        for t in tasks
    }


def _kinds(tasks) -> list:
    return [t for t in tasks if t not in REQUISITION_TASKS]


def assert_counts_equal_the_items(session, today: date, horizon: date) -> None:
    assert figures.differences(session) == []
    scopes = [(Scope(), _kinds(COORDINATOR_TASKS))]
    for m in session.scalars(select(Municipality.id)):
        scopes.append((Scope(municipality_id=m), _kinds(MUNICIPALITY_TASKS)))
        scopes.append((Scope(municipality_id=m), _kinds(COORDINATOR_TASKS)))
    for i in set(session.scalars(select(W.investigator_id))):
        scopes.append((Scope(investigator_id=i), _kinds(INVESTIGATOR_TASKS)))
    for scope, tasks in scopes:
        kept = queries.counts(session, tasks, scope, today, horizon)
        assert kept == _items_counted(session, tasks, scope, today, horizon), scope


@settings(
    max_examples=10,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(transactions=transactions_of(change), today=days, ahead=days)
def test_random_changes_keep_the_work_counts_equal_to_the_items(
    sessions, transactions, today, ahead
):
    with unit_of_work(sessions) as session:
        municipality_ids = sorted(session.scalars(select(Municipality.id)))
    run_transactions(sessions, transactions, _apply, municipality_ids)
    with unit_of_work(sessions) as session:
        assert_counts_equal_the_items(session, today, max(today, ahead))


def test_a_wrong_work_count_is_found_and_a_rebuild_puts_it_right(sessions):
    """A tampered count, a missing one and one too many are reported by `mm figures check`,
    and `mm figures rebuild` recounts them."""
    with unit_of_work(sessions) as session:
        osby = session.scalar(select(Municipality.id).where(Municipality.name == "Osby"))
        _new_placement(session, osby, date(2026, 5, 4), 30, ReferralStatus.STARTED)
        _new_placement(session, osby, date(2026, 6, 1), 30, ReferralStatus.ENDED)
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        kept = session.scalar(select(func.sum(WorkCount.items)))
        assert kept == 3 * session.scalar(select(func.count()).select_from(W)) >= 15
        ending = (WorkCount.kind == "ending") & (WorkCount.whose == "municipality")
        session.execute(update(WorkCount).where(ending).values(items=WorkCount.items + 1))
        session.execute(
            delete(WorkCount).where(WorkCount.kind == "final_report", WorkCount.whose == "all")
        )
        session.execute(
            insert(WorkCount).values(
                kind="hold_meeting", whose="all", who=0, day=date(2030, 1, 1), items=2
            )
        )
    with unit_of_work(sessions) as session:
        found = figures.differences(session)
        assert len(found) == 3, found
        assert all(line.startswith("work_count (") for line in found)
        assert any("'ending'" in line and "'municipality'" in line for line in found)
        assert any("'hold_meeting'" in line and "2030" in line for line in found)
        figures.rebuild(session)
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        assert session.scalar(select(func.sum(WorkCount.items))) == kept
