"""The period reports' kept figures (storage.report_figures) always equal a recount: after
random changes of placements, requests and referrals, on SQLite and PostgreSQL, the kept
running totals equal the same totals computed from scratch, and the outcomes, the times to
answer and to meeting and Finsam's participants by gender read from them for any period
equal the direct counts the reports used to run (tests/support/report_scan.py)."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from domain.choices import Gender
from domain.finsam import finsam_gender
from domain.lifecycle import ReferralStatus, RequestAnswer
from services.indicator_report import _period_figures
from services.program_setup import current_program
from storage import figures, report_figures
from storage.db import unit_of_work
from storage.models import Municipality, Placement, PlacementRequest, Referral, ReportDay
from tests.support import report_scan
from tests.support.clock import moment
from tests.support.transactions import run_transactions, transactions_of
from tests.test_figures import FIRST, LAST, _apply, _new_placement, _read, change, days

hours = st.integers(0, 23)
answers = st.sampled_from([None, *RequestAnswer])
genders = st.sampled_from([None, *Gender])
# What only the reports read besides the placements: a request's answer and its moment (any
# hour: a Swedish day's edge is not UTC's), a referral's submission and kept legal gender,
# and one statement changing many requests at once.
report_change = st.one_of(
    change,
    st.tuples(st.just("verdict"), st.integers(0, 10**6), answers, days, hours),
    st.tuples(st.just("submitted"), st.integers(0, 10**6), st.none() | days, hours),
    st.tuples(st.just("gender"), st.integers(0, 10**6), genders),
    st.tuples(st.just("all answered"), st.integers(0, 3), days, hours),
)
periods = st.tuples(days, st.integers(0, 400))


def _apply_report(session, step, municipality_ids) -> None:
    kind, *args = step
    if kind in ("verdict", "submitted", "gender"):
        model = PlacementRequest if kind == "verdict" else Referral
        ids = list(session.scalars(select(model.id).order_by(model.id)))
        if not ids:
            return
        where = model.id == ids[args[0] % len(ids)]
        if kind == "verdict":
            answer, day, hour = args[1:]
            if answer is None and _another_open(session, ids[args[0] % len(ids)]):
                return  # one open request per referral (the schema's rule)
            values = {"answer": answer, "answered_at": moment(day, hour) if answer else None}
        elif kind == "submitted":
            values = {"submitted_at": moment(args[1], args[2]) if args[1] else None}
        else:
            values = {"gender": args[1]}
        session.execute(update(model).where(where).values(**values))
    elif kind == "all answered":  # several rows in one statement: each row's part once
        which, day, hour = args
        session.execute(
            update(PlacementRequest)
            .where(
                PlacementRequest.municipality_id == municipality_ids[which % len(municipality_ids)]
            )
            .values(answer=RequestAnswer.ACCEPTED, answered_at=moment(day, hour))
        )
    else:
        _apply(session, step, municipality_ids)


def _another_open(session, request_id: int) -> bool:
    referral_id = select(PlacementRequest.referral_id).where(PlacementRequest.id == request_id)
    other = select(PlacementRequest.id).where(
        PlacementRequest.referral_id == referral_id.scalar_subquery(),
        PlacementRequest.id != request_id,
        PlacementRequest.answered_at.is_(None),
    )
    return session.scalar(other) is not None


def _scanned(session, first: date, last: date):
    outcomes: dict[int, dict] = {}
    for where, outcome, count in report_scan.outcomes(session, first, last):
        outcomes.setdefault(where, {})[outcome] = count
    answered = {
        row[0]: (row[1], float(row[2] or 0))
        for row in report_scan.answer_times(session, first, last)
    }
    met = {
        row[0]: (row[1], int(row[2] or 0))
        for row in report_scan.meeting_times(session, first, last)
    }
    return outcomes, answered, met


def _gendered(rows) -> dict:
    counted: Counter = Counter()
    for _where, legal, count in rows:
        counted[finsam_gender(legal)] += count
    return {gender: count for gender, count in counted.items() if count}


def assert_the_periods_read_as_the_recount(session, first: date, last: date) -> None:
    program = current_program(session)
    outcomes, answered, met = _period_figures(session, first, last, program)
    kept_meetings = {m: (n, int(total)) for m, (n, total) in met.items()}
    # A placement's day before the program counts on its first day (storage.report_triggers;
    # the application refuses a start before it, domain.enrolment): from the first day on, a
    # period's placements are scanned from the beginning. Answers count by their own day.
    placed_from = date(1900, 1, 1) if first <= program.start else first
    scanned_outcomes, _, scanned_meetings = _scanned(session, placed_from, last)
    _, scanned_answers, _ = _scanned(session, first, last)
    assert (outcomes, kept_meetings) == (scanned_outcomes, scanned_meetings)
    # The days to an answer: kept as whole seconds, summed by the scan as fractional days.
    assert {m: n for m, (n, _t) in answered.items()} == {
        m: n for m, (n, _t) in scanned_answers.items()
    }
    for where, (_n, total) in answered.items():
        assert abs(float(total) - scanned_answers[where][1]) < 1e-6
    kept = report_figures.participants(session, first, last, (program.start, program.end))
    scanned = report_scan.participants(session, placed_from, last)
    assert {k: _gendered(v) for k, v in kept.items()} == {
        k: _gendered(v) for k, v in scanned.items()
    }


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    transactions=transactions_of(report_change),
    asked=st.lists(periods, min_size=1, max_size=3),
)
def test_random_changes_keep_the_report_figures_equal_to_a_recount(sessions, transactions, asked):
    municipality_ids = sorted(_read(sessions, lambda s: list(s.scalars(select(Municipality.id)))))
    run_transactions(sessions, transactions, _apply_report, municipality_ids)
    with unit_of_work(sessions) as session:
        assert report_figures.differences(session) == []
        for first, length in asked:
            # Periods inside the program: outside it the kept totals count nothing, as the
            # running totals of storage.figures do.
            first = max(FIRST, min(first, LAST))
            assert_the_periods_read_as_the_recount(
                session, first, min(LAST, first + timedelta(days=length))
            )


def test_a_wrong_report_figure_is_found_and_a_rebuild_puts_it_right(sessions):
    """`mm figures check` compares the reports' kept totals too: a tampered row is reported,
    and `mm figures rebuild` recomputes it."""
    with unit_of_work(sessions) as session:
        osby = session.scalar(select(Municipality.id).where(Municipality.name == "Osby"))
        _new_placement(session, osby, date(2026, 5, 4), 30, ReferralStatus.ENDED)
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        tampered = (ReportDay.municipality_id == osby) & (ReportDay.day == date(2026, 6, 30))
        session.execute(
            update(ReportDay).where(tampered).values(ended_work=ReportDay.ended_work + 1)
        )
    with unit_of_work(sessions) as session:
        found = figures.differences(session)
        assert len(found) == 1
        assert found[0].startswith(f"report_day ({osby}, datetime.date(2026, 6, 30))")
        figures.rebuild(session)
    with unit_of_work(sessions) as session:
        assert figures.differences(session) == []
        outcomes, _answers, _meetings = _period_figures(
            session, date(2026, 5, 1), date(2026, 6, 30), current_program(session)
        )
        assert sum(outcomes[osby].values()) == 1


def test_the_answers_count_by_the_swedish_day_at_both_edges(sessions):
    """An answer at 00:30 Swedish time is on that Swedish day though its UTC day is the day
    before; one at 23:30 is on that day though UTC's is the next (the kept totals count by UTC
    day, the edges are read from the requests)."""
    with unit_of_work(sessions) as session:
        osby = session.scalar(select(Municipality.id).where(Municipality.name == "Osby"))
        for day in (date(2026, 3, 2), date(2026, 3, 3)):
            _new_placement(session, osby, day, 30, ReferralStatus.ENDED)
        requests = list(session.scalars(select(PlacementRequest.id).order_by(PlacementRequest.id)))
        early, late = requests[-2:]
        for request_id, at in (
            (early, moment(date(2026, 3, 10), 0)),
            (late, moment(date(2026, 3, 10), 23)),
        ):
            session.execute(
                update(PlacementRequest)
                .where(PlacementRequest.id == request_id)
                .values(answer=RequestAnswer.ACCEPTED, answered_at=at.replace(minute=30))
            )
        session.execute(update(Referral).values(submitted_at=moment(date(2026, 3, 1), 12)))
    with unit_of_work(sessions) as session:
        assert report_figures.differences(session) == []
        program = current_program(session)
        for first, last, expected in (
            (date(2026, 3, 10), date(2026, 3, 10), 2),
            (date(2026, 3, 9), date(2026, 3, 9), 0),
            (date(2026, 3, 11), date(2026, 3, 11), 0),
            (date(2026, 3, 1), date(2026, 3, 31), 2),
        ):
            _outcomes, answered, _met = _period_figures(session, first, last, program)
            assert answered.get(osby, (0, 0))[0] == expected, (first, last)
            assert_the_periods_read_as_the_recount(session, first, last)


def test_a_referral_and_its_placement_changed_at_once_keep_the_figures(sessions):
    """A referral's kept gender and its placement's end changed by two transactions at the
    same time: each takes away and adds the placement's part once (on PostgreSQL the triggers
    lock the referral's row first; SQLite has one writer at a time)."""
    with unit_of_work(sessions) as session:
        osby = session.scalar(select(Municipality.id).where(Municipality.name == "Osby"))
        _new_placement(session, osby, date(2026, 3, 2), 60, ReferralStatus.ENDED)
        placement_id, referral_id = session.execute(
            select(Placement.id, Placement.referral_id).order_by(Placement.id.desc())
        ).first()
    for round_ in range(6):
        executed = threading.Barrier(2)
        both_ran = threading.Barrier(2)

        def change(statement, executed=executed, both_ran=both_ran) -> None:
            with unit_of_work(sessions) as session:
                executed.wait(timeout=10)
                session.execute(statement)
                # Hold the transaction open while the other one runs, if it can.
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_ran.wait(timeout=0.5)

        gender = [Gender.FEMALE, Gender.MALE][round_ % 2]
        ended_on = date(2026, 4, 1) + timedelta(days=round_)
        threads = [
            threading.Thread(
                target=change,
                args=(update(Referral).where(Referral.id == referral_id).values(gender=gender),),
            ),
            threading.Thread(
                target=change,
                args=(
                    update(Placement).where(Placement.id == placement_id).values(ended_on=ended_on),
                ),
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    with unit_of_work(sessions) as session:
        assert report_figures.differences(session) == []
