"""The places in use kept per municipality and plan (storage.place_ends, `place_end`): after
random sequences of placement and referral changes, on SQLite and PostgreSQL, they are the
places a count of every placement finds, and the estimate read from them is the estimate
worked out from the placements themselves. A tampered row is found by the check and put
right by the rebuild."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import HealthCheck, given, settings
from sqlalchemy import delete, insert, select, update

from domain import forecast
from domain.lifecycle import ACTIVE_AT_MUNICIPALITY, ReferralStatus
from services import reports
from services.program_setup import current_program
from storage import figures, place_ends, queries
from storage.db import unit_of_work
from storage.models import Municipality, PlaceEnd, Placement, Referral
from tests.support.transactions import run_transactions, transactions_of
from tests.test_figures import _apply, _new_placement, change, days


def _counted(session) -> Counter:
    """Every place in use, counted in Python from the placements and their referrals: the
    plan its expected end is counted from (domain.forecast.PlaceInUse), per municipality."""
    found: Counter = Counter()
    rows = session.execute(
        select(Placement, Referral.status).join(Referral, Referral.id == Placement.referral_id)
    )
    for placement, status in rows:
        if ReferralStatus(status) not in ACTIVE_AT_MUNICIPALITY:
            continue
        ends = placement.ended_on or placement.planned_end_on
        if status == ReferralStatus.STARTED and ends is not None:
            plan = (None, ends)
        else:
            plan = (placement.started_on or placement.meeting_on, None)
        found[(placement.municipality_id, *plan)] += 1
    return found


def _kept(session) -> Counter:
    return Counter(
        {
            (place.municipality_id, place.meeting_on, place.planned_end_on): place.places
            for place in queries.places_in_use(session)
        }
    )


def _outlooks_from_the_placements(session, today: date) -> dict[int, forecast.PlaceOutlook]:
    found = reports.availability(session)
    in_use = [
        forecast.PlaceInUse(municipality_id, meeting_on, planned_end_on, places)
        for (municipality_id, meeting_on, planned_end_on), places in _counted(session).items()
    ]
    return forecast.outlooks(
        current_program(session),
        today=today,
        free={m.municipality_id: m.free for m in found.municipalities},
        takes_requests={m.municipality_id: m.takes_requests for m in found.municipalities},
        in_use=in_use,
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    transactions=transactions_of(change),
    today=days,
)
def test_random_changes_keep_the_places_in_use_equal_to_a_count(sessions, transactions, today):
    with unit_of_work(sessions) as session:
        municipality_ids = sorted(session.scalars(select(Municipality.id)))
    run_transactions(sessions, transactions, _apply, municipality_ids)
    with unit_of_work(sessions) as session:
        assert place_ends.differences(session) == []
        assert _kept(session) == _counted(session)
        assert all(p.places > 0 for p in session.scalars(select(PlaceEnd)))
        kept = reports.availability(session, today=today)
        assert {m.municipality_id: m.outlook for m in kept.municipalities} == (
            _outlooks_from_the_placements(session, today)
        )
        # Only the municipalities shown: the same outlook, the others none.
        first = municipality_ids[:1]
        shown = reports.availability(session, today=today, outlook_for=first)
        assert [m.outlook for m in shown.municipalities if m.municipality_id in first] == [
            m.outlook for m in kept.municipalities if m.municipality_id in first
        ]
        assert {m.outlook for m in shown.municipalities if m.municipality_id not in first} <= {None}


def test_a_wrong_kept_place_is_found_and_a_rebuild_puts_it_right(sessions):
    """`mm figures check` compares the kept places in use too: a changed count, a missing
    row and one too many are reported, and `mm figures rebuild` counts them again."""
    with unit_of_work(sessions) as session:
        osby = session.scalar(select(Municipality.id).where(Municipality.name == "Osby"))
        _new_placement(session, osby, date(2026, 5, 4), 30, ReferralStatus.STARTED)
        _new_placement(session, osby, date(2026, 5, 4), 30, ReferralStatus.STARTED)
        _new_placement(session, osby, date(2026, 6, 1), 30, ReferralStatus.ACCEPTED)
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        rows = {(p.kind, p.day): p.places for p in session.scalars(select(PlaceEnd))}
        assert rows == {("ends", date(2026, 6, 3)): 2, ("meeting", date(2026, 6, 1)): 1}
        session.execute(update(PlaceEnd).where(PlaceEnd.kind == "ends").values(places=5))
        session.execute(delete(PlaceEnd).where(PlaceEnd.kind == "meeting"))
        session.execute(
            insert(PlaceEnd).values(
                municipality_id=osby, kind="ends", day=date(2030, 1, 1), places=1
            )
        )
    with unit_of_work(sessions) as session:
        found = figures.differences(session)
        assert len(found) == 3
        assert all(line.startswith("place_end (") for line in found)
        assert any("2030" in line and "recomputed None" in line for line in found)
        figures.rebuild(session)
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        assert {(p.kind, p.day): p.places for p in session.scalars(select(PlaceEnd))} == rows


def test_a_bulk_load_leaves_the_places_in_use_counted_and_their_triggers_back(sessions):
    from tests.support.bulk import insert_placements

    with unit_of_work(sessions) as session:
        osby = session.scalar(select(Municipality.id).where(Municipality.name == "Osby"))
        insert_placements(session, osby, [(date(2026, 3, 2), date(2026, 8, 31), False)] * 3)
    with unit_of_work(sessions) as session:
        assert place_ends.missing_triggers(session.connection()) == []
        _new_placement(session, osby, date(2026, 5, 4), 30, ReferralStatus.ACCEPTED)
    with unit_of_work(sessions) as session:
        assert place_ends.differences(session) == []
        assert sum(p.places for p in queries.places_in_use(session, [osby])) == (
            reports.availability(session).started + 1
        )
