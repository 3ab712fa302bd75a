"""Each municipality's places in use and the revision of its plans (storage.place_summary,
`place_summary`), and the estimates kept in the process per revision (services.place_outlooks):
after random sequences of placement and referral changes, committed or rolled back, on SQLite
and PostgreSQL, every estimate read — the kept one where a municipality's plans did not change —
is the estimate worked out from the placements themselves, and the kept places are a recount
of the plans. A tampered row is found by the check and put right by the rebuild."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from sqlalchemy import delete, select, update

from domain.lifecycle import ReferralStatus
from services import reports
from storage import figures, place_summary
from storage.db import unit_of_work
from storage.models import Municipality, PlaceSummary
from tests.support.transactions import run_transactions, transactions_of
from tests.test_figures import _apply, _new_placement, change, days
from tests.test_place_ends import _outlooks_from_the_placements


def _revisions(session) -> dict[int, str]:
    rows = session.execute(select(PlaceSummary.municipality_id, PlaceSummary.revision))
    return {municipality_id: revision for municipality_id, revision in rows}


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(transactions=transactions_of(change), today=days)
def test_every_estimate_read_after_random_changes_is_the_one_worked_out_afresh(
    sessions, transactions, today
):
    with unit_of_work(sessions) as session:
        municipality_ids = sorted(session.scalars(select(Municipality.id)))
    for transaction in transactions:
        with unit_of_work(sessions, read_only=True) as session:
            before = _revisions(session)
            reports.availability(session, today=today)  # keeps the estimates of these plans
        run_transactions(sessions, [transaction], _apply, municipality_ids)
        with unit_of_work(sessions, read_only=True) as session:
            assert place_summary.differences(session) == []
            kept = reports.availability(session, today=today)
            assert {m.municipality_id: m.outlook for m in kept.municipalities} == (
                _outlooks_from_the_placements(session, today)
            )
            if transaction[1]:  # rolled back: the plans and their revisions are as they were
                assert _revisions(session) == before


def test_a_change_of_a_municipalitys_plans_gives_it_and_only_it_a_new_revision(sessions):
    with unit_of_work(sessions) as session:
        osby, other = session.scalars(select(Municipality.id).order_by(Municipality.id).limit(2))
        _new_placement(session, osby, date(2026, 5, 4), 30, ReferralStatus.STARTED)
    with unit_of_work(sessions) as session:
        before = _revisions(session)
        _new_placement(session, osby, date(2026, 6, 1), 30, ReferralStatus.ACCEPTED)
    with unit_of_work(sessions) as session:
        after = _revisions(session)
        assert after[osby] != before[osby]
        assert after.get(other) == before.get(other)
        assert session.get(PlaceSummary, osby).places == 2


def test_a_wrong_kept_summary_is_found_and_a_rebuild_puts_it_right(sessions):
    """`mm figures check` compares the kept places per municipality with a recount of their
    plans; `mm figures rebuild` counts them again and gives every municipality a new revision,
    so that no estimate kept before is read again."""
    with unit_of_work(sessions) as session:
        osby, other = session.scalars(select(Municipality.id).order_by(Municipality.id).limit(2))
        _new_placement(session, osby, date(2026, 5, 4), 30, ReferralStatus.STARTED)
        _new_placement(session, other, date(2026, 5, 4), 30, ReferralStatus.STARTED)
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        before = _revisions(session)
        session.execute(
            update(PlaceSummary).where(PlaceSummary.municipality_id == osby).values(places=7)
        )
        session.execute(delete(PlaceSummary).where(PlaceSummary.municipality_id == other))
    with unit_of_work(sessions) as session:
        found = figures.differences(session)
        assert len(found) == 2
        assert all(line.startswith("place_summary ") for line in found)
        assert any("kept 7, recomputed 1" in line for line in found)
        assert any("kept None, recomputed 1" in line for line in found)
        figures.rebuild(session)
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        after = _revisions(session)
        assert after.keys() >= {osby, other}
        assert all(after[m] != before.get(m) for m in after)
