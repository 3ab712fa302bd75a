"""What the page offers is what the use case accepts: every action × every state of a
referral × every role, tried for real in a transaction that is rolled back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.actions import Action
from domain.choices import BenefitType, DeclineReason, Outcome, Role
from domain.enrolment import latest_end
from domain.errors import DomainError
from domain.participants import ParticipantDetails
from services import placements, referrals
from services.casework import actions_for
from services.history import history_of
from services.program_setup import current_program
from storage.models import Municipality, Referral
from tests.support.clock import moment
from tests.support.world import VALID_NUMBERS

TODAY = date(2026, 11, 23)
NOW = moment(TODAY, 15)


@pytest.fixture
def people(sqlite_world):
    w = sqlite_world
    return {
        "investigator": w.user(Role.INVESTIGATOR),
        "other investigator": w.user(Role.INVESTIGATOR),
        "coordinator": w.user(Role.COORDINATOR),
        "osby": w.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "kristianstad": w.user(Role.MUNICIPALITY_CONTACT, "Kristianstad"),
        "association": w.user(Role.ASSOCIATION),
        "admin": w.user(Role.ADMIN),
    }


def _draft(w, p) -> int:
    referral = w.do(
        referrals.create_referral,
        actor=p["investigator"],
        participant=ParticipantDetails("Anna Andersson", VALID_NUMBERS[1]),
        benefit_type=BenefitType.SICKNESS_BENEFIT,
        preferred_municipality_id=None,
        consent_given=True,
        consent_on=date(2026, 11, 10),
        now=moment(date(2026, 11, 10)),
    )
    return referral.id


def _requested(w, p) -> int:
    return w.file(p["investigator"], "Osby", date(2026, 11, 16)).id


def _declined(w, p) -> int:
    referral_id = _requested(w, p)
    w.do(
        referrals.decline_request,
        actor=p["osby"],
        request_id=w.open_request_id(referral_id),
        reason=DeclineReason.NO_CAPACITY,
        comment="",
        now=moment(date(2026, 11, 17)),
    )
    return referral_id


def _accepted(w, p) -> int:
    referral_id = _requested(w, p)
    w.do(
        referrals.accept_request,
        actor=p["osby"],
        request_id=w.open_request_id(referral_id),
        meeting_on=date(2026, 11, 25),
        now=moment(date(2026, 11, 17)),
    )
    return referral_id


def _withdrawn(w, p) -> int:
    referral_id = _requested(w, p)
    w.do(
        lambda s, **kw: referrals.withdraw_referral(s, referral=s.get(Referral, referral_id), **kw),
        actor=p["investigator"],
        now=moment(date(2026, 11, 18)),
    )
    return referral_id


def _consent_withdrawn(w, p) -> int:
    referral_id = _declined(w, p)
    w.do(
        lambda s, **kw: referrals.withdraw_consent(s, referral=s.get(Referral, referral_id), **kw),
        actor=p["investigator"],
        withdrawn_on=date(2026, 11, 18),
        now=moment(date(2026, 11, 18)),
    )
    return referral_id


def _started(w, p, start: date = date(2026, 9, 1)) -> int:
    return w.started(p["investigator"], p["osby"], "Osby", start).id


def _record(w, p, use_case: Callable[..., Any], referral_id: int, **values: Any) -> int:
    w.do(use_case, actor=p["osby"], referral_id=referral_id, now=moment(TODAY, 9), **values)
    return referral_id


def _planned(w, p) -> int:
    return _record(w, p, placements.record_assessment_plan, _started(w, p), done_on=TODAY)


def _training(w, p) -> int:
    return _record(w, p, placements.record_workplace_training, _started(w, p), started_on=TODAY)


def _at_the_limit(w, p) -> int:
    start = date(2026, 2, 2)
    limit = w.read(lambda s: latest_end(current_program(s), start))
    return _record(w, p, placements.extend_placement, _started(w, p, start), new_end=limit)


def _ended(outcome: Outcome) -> Callable[[Any, Any], int]:
    def build(w, p) -> int:
        return _record(
            w, p, placements.end_placement, _started(w, p), ended_on=TODAY, outcome=outcome
        )

    return build


def _ended_and_reported(w, p) -> int:
    referral_id = _ended(Outcome.DROPOUT)(w, p)
    _record(w, p, placements.record_final_report, referral_id, received_on=TODAY)
    w.do(
        placements.record_alternative_plan,
        actor=p["investigator"],
        referral_id=referral_id,
        planned_on=TODAY,
        now=moment(TODAY, 10),
    )
    return referral_id


STATES = {
    "draft": _draft,
    "requested": _requested,
    "declined": _declined,
    "accepted": _accepted,
    "withdrawn": _withdrawn,
    "declined, then consent withdrawn": _consent_withdrawn,
    "started": _started,
    "started, plan done": _planned,
    "started, training begun": _training,
    "started, at the longest enrolment": _at_the_limit,
    "ended with work": _ended(Outcome.WORK),
    "ended after a dropout": _ended(Outcome.DROPOUT),
    "ended, reported and planned": _ended_and_reported,
}


def _request_id(referral: Referral) -> int | None:
    request = referrals.current_request(referral)
    return request.id if request else None


def _not_asked(session: Session, referral: Referral) -> int:
    asked = {r.municipality_id for r in referral.requests}
    ids = session.scalars(select(Municipality.id).order_by(Municipality.id)).all()
    return next(i for i in ids if i not in asked)


def _attempt(session: Session, actor: Any, referral: Referral, action: Action) -> None:
    """Carries the action out with valid input, so that only the rules can refuse it."""
    common = {"actor": actor, "now": NOW}
    placement = referral.placement
    if action is Action.WITHDRAW:
        referrals.withdraw_referral(session, referral=referral, **common)
    elif action is Action.WITHDRAW_CONSENT:
        referrals.withdraw_consent(session, referral=referral, withdrawn_on=TODAY, **common)
    elif action is Action.ASK_ANOTHER:
        referrals.request_placement(
            session, referral=referral, municipality_id=_not_asked(session, referral), **common
        )
    elif action in (Action.ACCEPT, Action.DECLINE):
        request_id = _request_id(referral)
        if request_id is None:
            raise _NothingToAnswer
        if action is Action.ACCEPT:
            referrals.accept_request(session, request_id=request_id, meeting_on=TODAY, **common)
        else:
            referrals.decline_request(
                session,
                request_id=request_id,
                reason=DeclineReason.NO_CAPACITY,
                comment="",
                **common,
            )
    else:
        on = {"referral_id": referral.id, **common}
        if action is Action.MEETING_HELD:
            placements.record_meeting_held(session, held_on=TODAY, **on)
        elif action is Action.ASSESSMENT_PLAN:
            placements.record_assessment_plan(session, done_on=TODAY, **on)
        elif action is Action.WORKPLACE_TRAINING:
            placements.record_workplace_training(session, started_on=TODAY, **on)
        elif action is Action.EXTEND:
            start = placement.started_on if placement and placement.started_on else TODAY
            limit = latest_end(current_program(session), start)
            planned = placement.planned_end_on if placement and placement.planned_end_on else TODAY
            placements.extend_placement(
                session, new_end=min(planned + timedelta(days=30), limit), **on
            )
        elif action is Action.END:
            placements.end_placement(session, ended_on=TODAY, outcome=Outcome.DROPOUT, **on)
        elif action is Action.FINAL_REPORT:
            placements.record_final_report(session, received_on=TODAY, **on)
        elif action is Action.ALTERNATIVE_PLAN:
            placements.record_alternative_plan(session, planned_on=TODAY, **on)
        else:  # a new action needs its attempt here, or this test proves nothing about it
            raise AssertionError(f"no attempt written for {action}")


class _NothingToAnswer(DomainError):
    def __init__(self) -> None:
        super().__init__("no request")


def _accepted_by_use_case(sessions, actor, referral_id: int, action: Action) -> bool:
    session = sessions()
    try:
        _attempt(session, actor, session.get(Referral, referral_id), action)
        session.flush()
        return True
    except DomainError:
        return False
    finally:
        session.rollback()
        session.close()


@pytest.mark.parametrize("state", list(STATES))
def test_what_the_page_offers_is_what_the_use_case_accepts(sqlite_world, people, state):
    referral_id = STATES[state](sqlite_world, people)
    status_before = sqlite_world.status(referral_id)
    events_before = sqlite_world.read(lambda s: len(history_of(s, referral_id)))
    differences = []
    accepted_somewhere = set()
    for who, actor in people.items():
        offered = sqlite_world.read(
            lambda s, actor=actor: actions_for(
                actor, s.get(Referral, referral_id), today=TODAY, program=current_program(s)
            )
        )
        for action in Action:
            accepted = _accepted_by_use_case(sqlite_world.sessions, actor, referral_id, action)
            accepted_somewhere |= {action} if accepted else set()
            if accepted != (action in offered):
                differences.append((who, action.value, "offered" if accepted else "refused"))
    assert differences == []
    # Trying changed nothing: every attempt was rolled back.
    assert sqlite_world.status(referral_id) is status_before
    assert sqlite_world.read(lambda s: len(history_of(s, referral_id))) == events_before
    assert accepted_somewhere == EXPECTED[state]


# Consent can be withdrawn whatever has happened, until the referral itself is withdrawn.
WC = Action.WITHDRAW_CONSENT
EXPECTED = {
    "draft": {Action.WITHDRAW},
    "requested": {WC, Action.WITHDRAW, Action.ACCEPT, Action.DECLINE},
    "declined": {WC, Action.WITHDRAW, Action.ASK_ANOTHER},
    "accepted": {WC, Action.WITHDRAW, Action.MEETING_HELD},
    "withdrawn": set(),
    "declined, then consent withdrawn": set(),  # before a start, the referral is withdrawn too
    "started": {WC, Action.ASSESSMENT_PLAN, Action.WORKPLACE_TRAINING, Action.EXTEND, Action.END},
    "started, plan done": {WC, Action.WORKPLACE_TRAINING, Action.EXTEND, Action.END},
    "started, training begun": {WC, Action.ASSESSMENT_PLAN, Action.EXTEND, Action.END},
    "started, at the longest enrolment": {
        WC,
        Action.ASSESSMENT_PLAN,
        Action.WORKPLACE_TRAINING,
        Action.END,
    },
    "ended with work": {WC, Action.FINAL_REPORT},
    "ended after a dropout": {WC, Action.FINAL_REPORT, Action.ALTERNATIVE_PLAN},
    "ended, reported and planned": {WC},
}
