"""The maintained figures (storage.figures) always equal a recomputation from scratch: for
random sequences of placement changes, on SQLite and PostgreSQL, the running totals equal
the same totals counted again from the placements, and the budget, the free places and the
indicators read from them equal the sums over every placement that the site used to run."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, update

from domain.choices import BenefitType, Outcome, Role
from domain.figures import Tally, indicator_counts, indicator_days
from domain.lifecycle import ReferralStatus
from domain.meetings import MeetingKind
from services import placements, reports
from storage import figures, queries
from storage.db import unit_of_work
from storage.models import (
    AcceptedMeeting,
    DayFigure,
    KeptWorkItem,
    Meeting,
    Municipality,
    Placement,
    PlacementRequest,
    Referral,
    User,
)
from tests.support.clock import moment
from tests.support.transactions import run_transactions, transactions_of

FIRST, LAST = date(2026, 1, 1), date(2028, 12, 31)
DAYS = (LAST - FIRST).days
_ids = itertools.count(1)

days = st.integers(min_value=-20, max_value=DAYS + 20).map(lambda n: FIRST + timedelta(days=n))
maybe_day = st.none() | days
statuses = st.sampled_from(
    [
        ReferralStatus.ACCEPTED,
        ReferralStatus.STARTED,
        ReferralStatus.ENDED,
        ReferralStatus.WITHDRAWN,
    ]
)
outcomes = st.none() | st.sampled_from(list(Outcome))

change = st.one_of(
    st.tuples(st.just("new"), days, st.integers(0, 400), st.integers(0, 3), statuses),
    st.tuples(st.just("dates"), st.integers(0, 10**6), maybe_day, maybe_day, maybe_day),
    st.tuples(st.just("steps"), st.integers(0, 10**6), maybe_day, maybe_day, maybe_day),
    st.tuples(st.just("outcome"), st.integers(0, 10**6), outcomes),
    st.tuples(st.just("move"), st.integers(0, 10**6), st.integers(0, 3)),
    # The tripartite meeting booked on another day (the accepted meetings' kept counts).
    st.tuples(st.just("booked"), st.integers(0, 10**6), days),
    st.tuples(st.just("status"), st.integers(0, 10**6), statuses),
    st.tuples(st.just("delete"), st.integers(0, 10**6)),
    # What only the worklists' kept items read: meetings, requests, the referral's municipality.
    st.tuples(st.just("meeting"), st.integers(0, 10**6), days, st.booleans()),
    st.tuples(st.just("held"), st.integers(0, 10**6), maybe_day),
    st.tuples(st.just("ask"), st.integers(0, 10**6), st.integers(0, 3), st.booleans()),
    st.tuples(st.just("answer"), st.integers(0, 10**6), days),
    st.tuples(st.just("refer"), st.integers(0, 10**6), st.integers(0, 3)),
    st.tuples(st.just("report"), st.integers(0, 10**6), maybe_day),
    st.tuples(st.just("forget"), st.integers(0, 10**6)),
)
referral_statuses = st.sampled_from(list(ReferralStatus))


def _user(session) -> int:
    found = session.scalar(select(User.id).where(User.email == "figures@test.example"))
    if found is None:
        found = session.execute(
            insert(User).values(
                email="figures@test.example",
                name="Figures",
                role=Role.INVESTIGATOR,
                created_at=moment(FIRST),
                active=True,
            )
        ).inserted_primary_key[0]
    return found


def _new_placement(session, municipality_id, start, length, status) -> None:
    """One placement by plain INSERTs (not a bulk load): the triggers keep the figures."""
    n = next(_ids)
    user_id = _user(session)
    referral_id = session.execute(
        insert(Referral).values(
            reference_code=f"FIG-{n:07d}-{id(session) % 10000}",
            investigator_id=user_id,
            status=status,
            benefit_type=BenefitType.SICKNESS_BENEFIT,
            consent_given=True,
            created_at=moment(FIRST),
            current_municipality_id=municipality_id,
        )
    ).inserted_primary_key[0]
    request_id = session.execute(
        insert(PlacementRequest).values(
            referral_id=referral_id,
            municipality_id=municipality_id,
            asked_at=moment(FIRST),
            asked_by_id=user_id,
            decline_comment="",
        )
    ).inserted_primary_key[0]
    started = status is not ReferralStatus.ACCEPTED
    session.execute(
        insert(Placement).values(
            referral_id=referral_id,
            municipality_id=municipality_id,
            request_id=request_id,
            meeting_on=start,
            started_on=start if started else None,
            planned_end_on=start + timedelta(days=length) if started else None,
            ended_on=start + timedelta(days=length // 2)
            if status is ReferralStatus.ENDED
            else None,
            outcome=Outcome.WORK if status is ReferralStatus.ENDED else None,
        )
    )


def _apply(session, step, municipality_ids) -> None:
    kind, *args = step
    placement_ids = list(session.scalars(select(Placement.id).order_by(Placement.id)))
    if kind == "new":
        start, length, which, status = args
        _new_placement(
            session, municipality_ids[which % len(municipality_ids)], start, length, status
        )
        return
    if not placement_ids:
        return
    chosen = placement_ids[args[0] % len(placement_ids)]
    where = Placement.id == chosen
    if kind == "dates":
        values = dict(zip(("started_on", "planned_end_on", "ended_on"), args[1:], strict=True))
        session.execute(update(Placement).where(where).values(**values))
    elif kind == "steps":
        names = ("assessment_plan_on", "workplace_training_on", "alternative_plan_on")
        session.execute(
            update(Placement).where(where).values(**dict(zip(names, args[1:], strict=True)))
        )
    elif kind == "outcome":
        session.execute(update(Placement).where(where).values(outcome=args[1]))
    elif kind == "booked":
        session.execute(update(Placement).where(where).values(meeting_on=args[1]))
    elif kind == "move":
        target = municipality_ids[args[1] % len(municipality_ids)]
        session.execute(update(Placement).where(where).values(municipality_id=target))
    elif kind == "status":
        referral_id = session.scalar(select(Placement.referral_id).where(where))
        session.execute(update(Referral).where(Referral.id == referral_id).values(status=args[1]))
    elif kind == "delete":
        session.execute(delete(Placement).where(where))
    else:
        _apply_casework(session, kind, chosen, args, municipality_ids)


def _apply_casework(session, kind, chosen, args, municipality_ids) -> None:
    """A change the worklists' items read (storage.worklist_triggers) and the figures do not."""
    referral_id = session.scalar(select(Placement.referral_id).where(Placement.id == chosen))
    meeting_ids = list(session.scalars(select(Meeting.id).order_by(Meeting.id)))
    request_ids = list(session.scalars(select(PlacementRequest.id).order_by(PlacementRequest.id)))
    if kind == "meeting":
        _, on, follow_up = args
        session.execute(
            insert(Meeting).values(
                referral_id=referral_id,
                kind=MeetingKind.FOLLOW_UP if follow_up else MeetingKind.TRIPARTITE,
                on=on,
                place="",
                booked_at=moment(FIRST),
                booked_by_id=_user(session),
                moves=0,
            )
        )
    elif kind == "held" and meeting_ids:
        meeting = Meeting.id == meeting_ids[args[0] % len(meeting_ids)]
        session.execute(update(Meeting).where(meeting).values(held_on=args[1]))
    elif kind == "ask":
        _, which, answered = args
        open_request = PlacementRequest.answered_at.is_(None)
        asked = select(PlacementRequest.id).where(
            PlacementRequest.referral_id == referral_id, open_request
        )
        if not answered and session.scalar(asked) is not None:
            return  # one open request per referral (the schema's rule)
        session.execute(
            insert(PlacementRequest).values(
                referral_id=referral_id,
                municipality_id=municipality_ids[which % len(municipality_ids)],
                asked_at=moment(FIRST + timedelta(days=which)),
                answered_at=moment(FIRST + timedelta(days=which + 1)) if answered else None,
                asked_by_id=_user(session),
                decline_comment="",
            )
        )
    elif kind == "answer" and request_ids:
        request = PlacementRequest.id == request_ids[args[0] % len(request_ids)]
        session.execute(update(PlacementRequest).where(request).values(answered_at=moment(args[1])))
    elif kind == "refer":
        target = municipality_ids[args[1] % len(municipality_ids)]
        status = [ReferralStatus.DECLINED, ReferralStatus.REQUESTED][args[1] % 2]
        session.execute(
            update(Referral)
            .where(Referral.id == referral_id)
            .values(current_municipality_id=target, status=status)
        )
    elif kind == "report":
        session.execute(
            update(Placement).where(Placement.id == chosen).values(final_report_on=args[1])
        )
    elif kind == "forget" and meeting_ids:
        session.execute(delete(Meeting).where(Meeting.id == meeting_ids[0]))


def _budget_scan(session, first: date, last: date) -> dict[int, int]:
    return queries.compensable_days_by_municipality(session, first, last)


def assert_figures_equal_a_recomputation(session, today: date) -> None:
    assert figures.differences(session) == []
    program_days = {"first": FIRST, "last": LAST}
    # Budget: every municipality and in total, per year, committed and accrued to `today`.
    ids = list(session.scalars(select(Municipality.id)))
    for year in (2026, 2027, 2028):
        first, last = date(year, 1, 1), date(year, 12, 31)
        asked = {first - timedelta(days=1), last, min(max(today, first), last)}
        per = figures.tallies_by_municipality(session, asked, **program_days)
        total = figures.tallies(session, asked, **program_days)
        # The accrued days computed in the query are the totals' own, day by day.
        assert figures.accrued_by_municipality(session, asked, **program_days) == {
            municipality_id: {day: tally.accrued_days for day, tally in by_day.items()}
            for municipality_id, by_day in per.items()
        }
        for end, scan in (
            (last, _budget_scan(session, first, last)),
            (min(max(today, first), last), _budget_scan(session, first, min(today, last))),
        ):
            if end == first and today < first:
                continue
            for municipality_id in ids:
                kept = per[municipality_id]
                days = kept[end].accrued_days - kept[first - timedelta(days=1)].accrued_days
                assert days == scan.get(municipality_id, 0), (municipality_id, year, end)
            days = total[end].accrued_days - total[first - timedelta(days=1)].accrued_days
            assert days == sum(scan.values()), (year, end)
    # Free places.
    scanned = queries.status_counts_by_municipality(session)
    for m in reports.availability(session).municipalities:
        counts = scanned.get(m.municipality_id, {})
        assert (m.accepted_not_started, m.started) == (
            counts.get(ReferralStatus.ACCEPTED, 0),
            counts.get(ReferralStatus.STARTED, 0),
        )


def _scanned_indicators(session, today: date) -> dict[str, int]:
    """The indicator counts by the scan, for placements that ended by today (the figures
    count an outcome on the day it happened)."""
    return queries.indicator_counts(session, today)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    transactions=transactions_of(change),
    today=days,
)
def test_random_changes_keep_the_figures_equal_to_a_recomputation(sessions, transactions, today):
    municipality_ids = sorted(
        m for m in _read(sessions, lambda s: list(s.scalars(select(Municipality.id))))
    )
    run_transactions(sessions, transactions, _apply, municipality_ids)
    with unit_of_work(sessions) as session:
        assert_figures_equal_a_recomputation(session, today)


def _read(sessions, query):
    with unit_of_work(sessions) as session:
        return query(session)


def test_indicators_from_the_figures_equal_the_scan_for_valid_placements(world):
    """With dates the use cases allow (steps after the start, ends by today), the indicator
    counts read from the figures are the ones the old scan counted."""
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    today = date(2026, 11, 23)
    made = []
    for n, start in enumerate(
        [
            date(2026, 3, 2),
            date(2026, 4, 6),
            date(2026, 8, 3),
            date(2026, 10, 26),
            date(2026, 11, 16),
        ]
    ):
        referral = world.started(investigator, osby, "Osby", start)
        made.append(referral)
        if n % 2 == 0:
            world.do(
                placements.record_assessment_plan,
                actor=osby,
                referral_id=referral.id,
                done_on=min(start + timedelta(days=20 + 10 * n), today),
                now=moment(today),
            )
        if n < 2:
            world.do(
                placements.end_placement,
                actor=osby,
                referral_id=referral.id,
                ended_on=start + timedelta(days=100),
                outcome=[Outcome.WORK, Outcome.DROPOUT][n],
                now=moment(today),
            )

    def both(session):
        scan = _scanned_indicators(session, today)
        program = reports.current_program(session)
        period = indicator_days(program.start, today, today)
        kept = indicator_counts(
            period, figures.tallies(session, period.all(), first=FIRST, last=LAST)
        )
        return scan, kept

    scan, kept = world.read(both)
    assert kept.__dict__ == {
        "plan_on_time": scan["plan_on_time"],
        "plan_counted": scan["plan_counted"],
        "training_on_time": scan["training_on_time"],
        "training_counted": scan["training_counted"],
        "goal_outcome": scan["goal_outcome"],
        "ended": scan["ended"],
        "alternative_plan": scan["alternative_plan"],
        "other_ended": scan["other_ended"],
    }
    assert (kept.plan_counted, kept.ended) == (4, 2)


def test_a_bulk_load_recounts_once_and_the_triggers_are_back_after_it(sessions):
    from tests.support.bulk import insert_placements

    with unit_of_work(sessions) as session:
        osby = session.scalar(select(Municipality.id).where(Municipality.name == "Osby"))
        insert_placements(session, osby, [(date(2026, 3, 2), date(2026, 8, 31), False)] * 3)
    with unit_of_work(sessions) as session:
        _new_placement(session, osby, date(2026, 5, 4), 30, ReferralStatus.STARTED)
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        tally = figures.tallies(session, [date(2026, 3, 31)], first=FIRST, last=LAST)
        # 2–31 March 2026 has 22 weekdays, for each of the three bulk placements.
        assert tally[date(2026, 3, 31)].accrued_days == 3 * 22
        assert reports.availability(session).started == 4


def test_a_day_outside_the_program_reads_as_nothing_before_and_the_last_day_after(sessions):
    with unit_of_work(sessions) as session:
        osby = session.scalar(select(Municipality.id).where(Municipality.name == "Osby"))
        _new_placement(session, osby, date(2028, 12, 1), 90, ReferralStatus.STARTED)
        asked = [date(2025, 12, 31), date(2028, 12, 31), date(2029, 6, 1)]
        tally = figures.tallies(session, asked, first=FIRST, last=LAST)
        accrued = figures.accrued_by_municipality(
            session, asked, first=FIRST, last=LAST, municipality_ids=[osby]
        )[osby]
    assert tally[date(2025, 12, 31)] == Tally()
    assert accrued == {date(2025, 12, 31): 0, date(2028, 12, 31): 19, date(2029, 6, 1): 19}
    # Compensable up to the program's end only: December 2028 has 21 weekdays, less
    # Christmas Day and Boxing Day.
    assert tally[date(2029, 6, 1)] == tally[date(2028, 12, 31)]
    assert tally[date(2028, 12, 31)].accrued_days == 19


def test_a_new_municipality_gets_its_rows_at_once(sessions):
    with unit_of_work(sessions) as session:
        session.add(Municipality(name="Hässleholm", code="1293", capacity=3, offer=""))
    with unit_of_work(sessions) as session:
        hassleholm = session.scalar(select(Municipality.id).where(Municipality.code == "1293"))
        rows = session.scalar(
            select(func.count())
            .select_from(DayFigure)
            .where(DayFigure.municipality_id == hassleholm)
        )
        assert rows == DAYS + 1
        assert figures.differences(session) == []
        assert [
            m.free
            for m in reports.availability(session).municipalities
            if m.municipality == "Hässleholm"
        ] == [3]


@pytest.mark.parametrize("reload_with", ["same", "calendar days"])
def test_reloading_the_program_keeps_the_figures_right(sessions, program, reload_with):
    from dataclasses import replace

    from domain.program import DayRule
    from services.program_setup import install_program

    with unit_of_work(sessions) as session:
        osby = session.scalar(select(Municipality.id).where(Municipality.name == "Osby"))
        _new_placement(session, osby, date(2026, 3, 2), 60, ReferralStatus.STARTED)
    changed = program if reload_with == "same" else replace(program, day_rule=DayRule.CALENDAR)
    with unit_of_work(sessions) as session:
        install_program(session, changed, now=moment(date(2026, 6, 1)))
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        budget = reports.year_budget(session, year=2026, today=date(2026, 12, 31))
    # 2 March – 1 May 2026: 61 days; 42 weekdays (22 in March, 20 in April without Good
    # Friday and Easter Monday; 1 May is a public holiday).
    assert budget.committed_days == (61 if reload_with == "calendar days" else 42)


def test_a_wrong_kept_work_item_is_found_and_a_rebuild_puts_it_right(sessions):
    """`mm figures check` compares the worklists' kept items too: a tampered row is reported,
    a missing one and one too many as well, and `mm figures rebuild` recomputes them."""
    with unit_of_work(sessions) as session:
        osby = session.scalar(select(Municipality.id).where(Municipality.name == "Osby"))
        _new_placement(session, osby, date(2026, 5, 4), 30, ReferralStatus.STARTED)
        _new_placement(session, osby, date(2026, 6, 1), 30, ReferralStatus.ENDED)
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        kept = session.scalar(select(func.count()).select_from(KeptWorkItem))
        assert kept >= 5  # follow-up to book, plan, training, end; final report
        session.execute(
            update(KeptWorkItem)
            .where(KeptWorkItem.kind == "ending")
            .values(anchor=date(2030, 1, 1))
        )
        session.execute(delete(KeptWorkItem).where(KeptWorkItem.kind == "final_report"))
    with unit_of_work(sessions) as session:
        found = figures.differences(session)
        assert len(found) == 2
        assert all(line.startswith("work_item (") for line in found)
        assert any("'ending'" in line and "2030" in line for line in found)
        figures.rebuild(session)
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        assert session.scalar(select(func.count()).select_from(KeptWorkItem)) == kept


def test_a_wrong_accepted_meeting_count_is_found_and_a_rebuild_puts_it_right(sessions):
    """`mm figures check` compares the accepted placements' kept counts per municipality and
    meeting day too: a tampered count, a missing day and one too many are reported, and
    `mm figures rebuild` recounts them."""
    with unit_of_work(sessions) as session:
        osby, bromolla = (
            session.scalar(select(Municipality.id).where(Municipality.name == name))
            for name in ("Osby", "Bromölla")
        )
        for municipality_id, day in ((osby, 4), (osby, 4), (osby, 11), (bromolla, 4)):
            _new_placement(
                session, municipality_id, date(2026, 5, day), 30, ReferralStatus.ACCEPTED
            )
        _new_placement(session, osby, date(2026, 5, 4), 30, ReferralStatus.STARTED)
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        kept = {(m, day): n for m, day, n in session.execute(select(AcceptedMeeting.__table__))}
        assert kept == {
            (osby, date(2026, 5, 4)): 2,
            (osby, date(2026, 5, 11)): 1,
            (bromolla, date(2026, 5, 4)): 1,
        }
        session.execute(
            update(AcceptedMeeting)
            .where(AcceptedMeeting.municipality_id == osby)
            .values(placements=AcceptedMeeting.placements + 1)
        )
        session.execute(delete(AcceptedMeeting).where(AcceptedMeeting.municipality_id == bromolla))
        session.execute(
            insert(AcceptedMeeting).values(
                municipality_id=bromolla, meeting_on=date(2026, 6, 1), placements=3
            )
        )
    with unit_of_work(sessions) as session:
        found = figures.differences(session)
        assert len(found) == 4
        assert all(line.startswith("accepted_meeting (") for line in found)
        figures.rebuild(session)
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        assert {
            (m, day): n for m, day, n in session.execute(select(AcceptedMeeting.__table__))
        } == kept
