"""Every change of a referral and its placement, sent twenty times at once (as double clicks,
two tabs or two colleagues would), on both databases: exactly one is recorded, the others get
the refusal the page would give. The requisition's money transitions have their own tests.

On PostgreSQL, before the referral's row was locked, two concurrent milestones, extensions,
final reports, alternative plans, consent withdrawals or follow-ups held each recorded two
or more events: each transaction checked the state before the other had written it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, time
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.choices import DeclineReason, Outcome, Role
from domain.errors import DomainError
from domain.events import EventKind
from services import meetings, placements, referrals
from storage.models import Event, Referral
from tests.support.clock import moment

AT_ONCE = 20
START = date(2026, 3, 2)


def _started(world, people) -> int:
    return world.started(people["investigator"], people["osby"], "Osby", START).id


def _ended(world, people, outcome: Outcome = Outcome.WORK) -> int:
    referral_id = _started(world, people)
    world.do(
        placements.end_placement,
        actor=people["osby"],
        referral_id=referral_id,
        ended_on=date(2026, 6, 30),
        outcome=outcome,
        now=moment(date(2026, 7, 1)),
    )
    return referral_id


def _accepted(world, people) -> int:
    referral = world.file(people["investigator"], "Osby", date(2026, 2, 23))
    world.do(
        referrals.accept_request,
        actor=people["osby"],
        request_id=world.open_request_id(referral.id),
        meeting_on=START,
        now=moment(date(2026, 2, 25)),
    )
    return referral.id


def _requested(world, people) -> tuple[int, int]:
    referral = world.file(people["investigator"], "Osby", date(2026, 2, 23))
    return referral.id, world.open_request_id(referral.id)


def _with_follow_up(world, people) -> tuple[int, int]:
    referral_id = _started(world, people)
    meeting = world.read(
        lambda s: meetings.book_follow_up(
            s,
            actor=people["osby"],
            referral=s.get(Referral, referral_id),
            on=date(2026, 4, 6),
            at=time(10),
            place="Stadshuset",
            now=moment(date(2026, 3, 23)),
        )
    )
    return referral_id, meeting.id


def _on_referral(use_case: Callable[..., Any], **kwargs: Any) -> Callable[..., Any]:
    """A use case that takes the referral object, as the web views call it."""

    def call(session, *, referral_id: int, **more: Any) -> Any:
        return use_case(session, referral=session.get(Referral, referral_id), **kwargs, **more)

    return call


# name: (set-up returning the referral id (and what the call needs), the call, event kind)
CASES: dict[str, tuple[Callable, Callable, EventKind]] = {
    "meeting held": (
        _accepted,
        lambda world, people, referral_id: world.do(
            placements.record_meeting_held,
            actor=people["osby"],
            referral_id=referral_id,
            held_on=START,
            now=moment(START, 15),
        ),
        EventKind.STARTED,
    ),
    "assessment and plan": (
        _started,
        lambda world, people, referral_id: world.do(
            placements.record_assessment_plan,
            actor=people["osby"],
            referral_id=referral_id,
            done_on=date(2026, 3, 20),
            now=moment(date(2026, 3, 23)),
        ),
        EventKind.ASSESSMENT_PLAN,
    ),
    "workplace training": (
        _started,
        lambda world, people, referral_id: world.do(
            placements.record_workplace_training,
            actor=people["osby"],
            referral_id=referral_id,
            started_on=date(2026, 4, 6),
            now=moment(date(2026, 4, 7)),
        ),
        EventKind.WORKPLACE_TRAINING,
    ),
    "extension": (
        _started,
        lambda world, people, referral_id: world.do(
            placements.extend_placement,
            actor=people["osby"],
            referral_id=referral_id,
            new_end=date(2027, 1, 29),
            now=moment(date(2026, 8, 3)),
        ),
        EventKind.EXTENDED,
    ),
    "end": (
        _started,
        lambda world, people, referral_id: world.do(
            placements.end_placement,
            actor=people["osby"],
            referral_id=referral_id,
            ended_on=date(2026, 6, 30),
            outcome=Outcome.STUDIES,
            now=moment(date(2026, 7, 1)),
        ),
        EventKind.ENDED,
    ),
    "final report": (
        _ended,
        lambda world, people, referral_id: world.do(
            placements.record_final_report,
            actor=people["osby"],
            referral_id=referral_id,
            received_on=date(2026, 7, 10),
            now=moment(date(2026, 7, 13)),
        ),
        EventKind.FINAL_REPORT,
    ),
    "alternative plan": (
        lambda world, people: _ended(world, people, Outcome.DROPOUT),
        lambda world, people, referral_id: world.do(
            placements.record_alternative_plan,
            actor=people["investigator"],
            referral_id=referral_id,
            planned_on=date(2026, 7, 6),
            now=moment(date(2026, 7, 7)),
        ),
        EventKind.ALTERNATIVE_PLAN,
    ),
    "withdraw": (
        lambda world, people: world.file(people["investigator"], "Osby", date(2026, 2, 23)).id,
        lambda world, people, referral_id: world.do(
            _on_referral(referrals.withdraw_referral),
            actor=people["investigator"],
            referral_id=referral_id,
            now=moment(date(2026, 2, 24)),
        ),
        EventKind.WITHDRAWN,
    ),
    "consent withdrawn while running": (
        _started,
        lambda world, people, referral_id: world.do(
            _on_referral(referrals.withdraw_consent),
            actor=people["investigator"],
            referral_id=referral_id,
            withdrawn_on=date(2026, 5, 4),
            now=moment(date(2026, 5, 5)),
        ),
        EventKind.CONSENT_WITHDRAWN,
    ),
    "decline": (
        _requested,
        lambda world, people, ids: world.do(
            referrals.decline_request,
            actor=people["osby"],
            request_id=ids[1],
            reason=DeclineReason.NO_CAPACITY,
            comment="",
            now=moment(date(2026, 2, 24)),
        ),
        EventKind.DECLINED,
    ),
    "follow-up meeting held": (
        _with_follow_up,
        lambda world, people, ids: world.do(
            _on_referral(meetings.record_follow_up_held),
            actor=people["osby"],
            referral_id=ids[0],
            meeting_id=ids[1],
            held_on=date(2026, 4, 6),
            now=moment(date(2026, 4, 7)),
        ),
        EventKind.MEETING_HELD,
    ),
}


@pytest.fixture
def people(world):
    return {
        "investigator": world.user(Role.INVESTIGATOR),
        "osby": world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
    }


@pytest.mark.parametrize("case", list(CASES))
def test_twenty_at_once_record_exactly_one_event(world, people, case):
    set_up, change, kind = CASES[case]
    made = set_up(world, people)
    referral_id = made[0] if isinstance(made, tuple) else made
    start = threading.Barrier(AT_ONCE)
    outcomes: list[str] = []

    def send() -> None:
        start.wait()
        try:
            change(world, people, made)
            outcomes.append("done")
        except DomainError:
            outcomes.append("refused")
        except Exception as error:  # any other failure is the finding
            outcomes.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=send) for _ in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done"] + ["refused"] * (AT_ONCE - 1)
    recorded = world.read(
        lambda s: s.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.referral_id == referral_id, Event.kind == kind)
        )
    )
    assert recorded == 1
