"""What the page offers is what the use case accepts: every action × every state of a
referral × every kind of person. For each, the action is offered (domain.actions, as the
referral's page asks) exactly when its use case, tried with sensible input, goes through;
the try is rolled back, so every combination starts from the same referral, and trying
changes nothing. On both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.actions import Action
from domain.choices import BenefitType, DeclineReason, Outcome, Role
from domain.corrections import CorrectionReason, RecordedDate
from domain.documentation import DocumentKind
from domain.enrolment import latest_end
from domain.errors import DomainError
from domain.participants import ParticipantDetails
from services import casework, documents, meetings, placements, referrals
from services.history import history_of
from services.program_setup import current_program
from storage.models import Meeting, Municipality, Referral
from tests.support.clock import moment

TODAY = date(2026, 11, 23)
NOW = moment(TODAY, 15)


@pytest.fixture
def people(world):
    return {
        "investigator": world.user(Role.INVESTIGATOR),
        "other investigator": world.user(Role.INVESTIGATOR),
        "coordinator": world.user(Role.COORDINATOR),
        "osby": world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "kristianstad": world.user(Role.MUNICIPALITY_CONTACT, "Kristianstad"),
        "association": world.user(Role.ASSOCIATION),
        "admin": world.user(Role.ADMIN),
    }


# ---- one referral in each state ---------------------------------------------------------


def _draft(w, p, submit: bool = False) -> int:
    def create(session: Session) -> int:
        referral = referrals.create_referral(
            session,
            actor=p["investigator"],
            participant=ParticipantDetails("Anna Andersson", w.next_number()),
            benefit_type=BenefitType.SICKNESS_BENEFIT,
            preferred_municipality_id=None,
            consent_given=True,
            consent_on=date(2026, 11, 10),
            now=moment(date(2026, 11, 10)),
        )
        if submit:
            referrals.submit_referral(
                session, actor=p["investigator"], referral=referral, now=moment(date(2026, 11, 10))
            )
        return referral.id

    return w.do(create)


def _submitted(w, p) -> int:
    return _draft(w, p, submit=True)


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
        meeting_time=time(10),
        place="Rum 1",
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


def _withdraw_consent(w, p, referral_id: int) -> int:
    w.do(
        lambda s, **kw: referrals.withdraw_consent(s, referral=s.get(Referral, referral_id), **kw),
        actor=p["investigator"],
        withdrawn_on=date(2026, 11, 18),
        now=moment(date(2026, 11, 18)),
    )
    return referral_id


def _consent_withdrawn(w, p) -> int:
    return _withdraw_consent(w, p, _declined(w, p))


def _started(w, p, start: date = date(2026, 9, 1)) -> int:
    """A running placement with a follow-up meeting booked (one to move)."""
    referral_id = w.started(p["investigator"], p["osby"], "Osby", start).id
    w.do(
        lambda s: meetings.book_follow_up(
            s,
            actor=p["osby"],
            referral=s.get(Referral, referral_id),
            on=TODAY + timedelta(days=4),
            at=time(9),
            place="Rum 1",
            now=moment(TODAY, 9),
        )
    )
    return referral_id


def _started_consent_withdrawn(w, p) -> int:
    return _withdraw_consent(w, p, _started(w, p))


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
    "submitted, no municipality asked": _submitted,
    "requested": _requested,
    "declined": _declined,
    "accepted": _accepted,
    "withdrawn": _withdrawn,
    "declined, then consent withdrawn": _consent_withdrawn,
    "started": _started,
    "started, then consent withdrawn": _started_consent_withdrawn,
    "started, plan done": _planned,
    "started, training begun": _training,
    "started, at the longest enrolment": _at_the_limit,
    "ended with work": _ended(Outcome.WORK),
    "ended after a dropout": _ended(Outcome.DROPOUT),
    "ended, reported and planned": _ended_and_reported,
}


# ---- each action carried out with valid input, so that only the rules can refuse it -----


def _request_id(referral: Referral) -> int:
    request = referrals.current_request(referral)
    return request.id if request else -1


def _not_asked(session: Session, referral: Referral) -> int:
    asked = {r.municipality_id for r in referral.requests}
    ids = session.scalars(select(Municipality.id).order_by(Municipality.id)).all()
    return next(i for i in ids if i not in asked)


def _extended_end(session: Session, referral: Referral) -> date:
    placement = referral.placement
    start = placement.started_on if placement and placement.started_on else TODAY
    planned = placement.planned_end_on if placement and placement.planned_end_on else TODAY
    return min(planned + timedelta(days=30), latest_end(current_program(session), start))


def _correction(referral: Referral) -> tuple[RecordedDate, date]:
    placement = referral.placement
    if placement is not None and placement.ended_on is not None:
        return RecordedDate.ENDED, placement.ended_on - timedelta(days=1)
    # A day later: a day earlier could put an extension beyond the longest enrolment.
    started = placement.started_on if placement and placement.started_on else TODAY
    return RecordedDate.STARTED, started + timedelta(days=1)


def _first_unheld(session: Session, referral: Referral) -> int:
    found = session.scalars(
        select(Meeting.id).where(Meeting.referral_id == referral.id, Meeting.held_on.is_(None))
    ).first()
    return found if found is not None else -1


Try = Callable[[Session, Any, Referral], object]
TRIES: dict[Action, Try] = {
    Action.WITHDRAW: lambda s, a, r: referrals.withdraw_referral(s, actor=a, referral=r, now=NOW),
    Action.WITHDRAW_CONSENT: lambda s, a, r: referrals.withdraw_consent(
        s, actor=a, referral=r, withdrawn_on=TODAY, now=NOW
    ),
    Action.MARK_PROTECTED: lambda s, a, r: referrals.mark_protected(
        s, actor=a, referral=r, now=NOW
    ),
    Action.ASK_ANOTHER: lambda s, a, r: referrals.request_placement(
        s, actor=a, referral=r, municipality_id=_not_asked(s, r), now=NOW
    ),
    Action.ACCEPT: lambda s, a, r: referrals.accept_request(
        s,
        actor=a,
        request_id=_request_id(r),
        meeting_on=TODAY + timedelta(days=3),
        meeting_time=time(10),
        place="Rum 1",
        now=NOW,
        over_capacity_confirmed=True,
    ),
    Action.DECLINE: lambda s, a, r: referrals.decline_request(
        s,
        actor=a,
        request_id=_request_id(r),
        reason=DeclineReason.NO_CAPACITY,
        comment="",
        now=NOW,
    ),
    Action.MEETING_HELD: lambda s, a, r: placements.record_meeting_held(
        s, actor=a, referral_id=r.id, held_on=TODAY, now=NOW
    ),
    Action.ASSESSMENT_PLAN: lambda s, a, r: placements.record_assessment_plan(
        s, actor=a, referral_id=r.id, done_on=TODAY, now=NOW
    ),
    Action.WORKPLACE_TRAINING: lambda s, a, r: placements.record_workplace_training(
        s, actor=a, referral_id=r.id, started_on=TODAY, now=NOW
    ),
    Action.EXTEND: lambda s, a, r: placements.extend_placement(
        s, actor=a, referral_id=r.id, new_end=_extended_end(s, r), now=NOW
    ),
    Action.END: lambda s, a, r: placements.end_placement(
        s, actor=a, referral_id=r.id, ended_on=TODAY, outcome=Outcome.DROPOUT, now=NOW
    ),
    Action.FINAL_REPORT: lambda s, a, r: placements.record_final_report(
        s, actor=a, referral_id=r.id, received_on=TODAY, now=NOW
    ),
    Action.ALTERNATIVE_PLAN: lambda s, a, r: placements.record_alternative_plan(
        s, actor=a, referral_id=r.id, planned_on=TODAY, now=NOW
    ),
    Action.EDIT_PARTICIPANT: lambda s, a, r: referrals.correct_participant(
        s,
        actor=a,
        referral=r,
        participant=ParticipantDetails(
            name="Anna Andersson",
            personal_identity_number=(
                r.participant.personal_identity_number if r.participant else ""
            ),
            phone="070-174 06 99",
        ),
        now=NOW,
    ),
    Action.CORRECT_DATE: lambda s, a, r: placements.correct_date(
        s,
        actor=a,
        referral_id=r.id,
        field=_correction(r)[0],
        corrected_on=_correction(r)[1],
        reason=CorrectionReason.TYPING_ERROR,
        now=NOW,
    ),
    Action.BOOK_MEETING: lambda s, a, r: meetings.book_follow_up(
        s, actor=a, referral=r, on=TODAY + timedelta(days=2), at=time(9), place="Rum 1", now=NOW
    ),
    Action.CHANGE_MEETING: lambda s, a, r: meetings.move_meeting(
        s,
        actor=a,
        referral=r,
        meeting_id=_first_unheld(s, r),
        on=TODAY + timedelta(days=9),
        at=time(14),
        place="Rum 2",
        now=NOW,
    ),
    Action.WRITE_PLAN: lambda s, a, r: documents.write_document(
        s, actor=a, referral=r, kind=DocumentKind.PLAN, content={"goals": "Mål"}, now=NOW
    ),
    Action.WRITE_FINAL_REPORT: lambda s, a, r: documents.write_document(
        s,
        actor=a,
        referral=r,
        kind=DocumentKind.FINAL_REPORT,
        content={"assessment": "Bedömning"},
        now=NOW,
    ),
}


def test_every_action_has_its_try_and_is_reached_by_some_state():
    assert set(TRIES) == set(Action)  # a new action needs its try, or this proves nothing
    assert set().union(*EXPECTED.values()) == set(Action)
    assert set(EXPECTED) == set(STATES)


def _accepted_by_use_case(sessions, actor, referral_id: int, action: Action) -> str | None:
    """None when the use case went through; else why not."""
    session = sessions()
    try:
        TRIES[action](session, actor, session.get(Referral, referral_id))
        session.flush()
        return None
    except DomainError as refused:
        return str(refused) or type(refused).__name__
    finally:
        session.rollback()
        session.close()


@pytest.mark.parametrize("state", list(STATES))
def test_what_the_page_offers_is_what_the_use_case_accepts(world, people, state):
    referral_id = STATES[state](world, people)
    status_before = world.status(referral_id)
    events_before = world.read(lambda s: len(history_of(s, referral_id)))
    differences = []
    accepted_somewhere = set()
    for who, actor in people.items():
        offered = world.read(
            lambda s, actor=actor: casework.actions_for(
                actor, s.get(Referral, referral_id), today=TODAY, program=current_program(s)
            )
        )
        for action in Action:
            why = _accepted_by_use_case(world.sessions, actor, referral_id, action)
            accepted_somewhere |= {action} if why is None else set()
            if (why is None) != (action in offered):
                differences.append((who, action.value, "offered" if action in offered else why))
    assert differences == [], "\n".join(map(str, differences))
    # Trying changed nothing: every attempt was rolled back.
    assert world.status(referral_id) is status_before
    assert world.read(lambda s: len(history_of(s, referral_id))) == events_before
    assert accepted_somewhere == EXPECTED[state]


A = Action
# Consent can be withdrawn whatever has happened, until the referral itself is withdrawn; FK
# corrects the participant's details until a municipality accepts; the municipality corrects
# dates, books and moves meetings and writes the plan once the placement has started.
# After acceptance FK can still mark the participant as protected (MP), while data is held.
WC, EDIT, MP = A.WITHDRAW_CONSENT, A.EDIT_PARTICIPANT, A.MARK_PROTECTED
RUNNING = {WC, MP, A.END, A.CORRECT_DATE, A.BOOK_MEETING, A.CHANGE_MEETING, A.WRITE_PLAN}
ENDED = {WC, MP, A.CORRECT_DATE, A.WRITE_PLAN, A.WRITE_FINAL_REPORT}
EXPECTED = {
    "draft": {A.WITHDRAW, EDIT},
    "submitted, no municipality asked": {WC, A.WITHDRAW, A.ASK_ANOTHER, EDIT},
    "requested": {WC, A.WITHDRAW, A.ACCEPT, A.DECLINE, EDIT},
    "declined": {WC, A.WITHDRAW, A.ASK_ANOTHER, EDIT},
    "accepted": {WC, MP, A.WITHDRAW, A.MEETING_HELD, A.CHANGE_MEETING},
    "withdrawn": set(),
    "declined, then consent withdrawn": set(),  # before a start, the referral is withdrawn too
    "started": RUNNING | {A.ASSESSMENT_PLAN, A.WORKPLACE_TRAINING, A.EXTEND},
    # The placement runs on; the municipality no longer sees personal data, so it writes
    # no plan, and consent is withdrawn once.
    "started, then consent withdrawn": (RUNNING - {WC, A.WRITE_PLAN})
    | {A.ASSESSMENT_PLAN, A.WORKPLACE_TRAINING, A.EXTEND},
    "started, plan done": RUNNING | {A.WORKPLACE_TRAINING, A.EXTEND},
    "started, training begun": RUNNING | {A.ASSESSMENT_PLAN, A.EXTEND},
    "started, at the longest enrolment": RUNNING | {A.ASSESSMENT_PLAN, A.WORKPLACE_TRAINING},
    "ended with work": ENDED | {A.FINAL_REPORT},
    "ended after a dropout": ENDED | {A.FINAL_REPORT, A.ALTERNATIVE_PLAN},
    "ended, reported and planned": ENDED,
}
