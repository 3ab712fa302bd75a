"""What the page offers is what the use case accepts: every action × every state of a referral
× every kind of person. For each, the action is offered (domain.actions, as the referral's
page asks) exactly when its use case, tried with sensible input, goes through; the try is
rolled back, so every combination starts from the same referral. On both databases."""

from __future__ import annotations

from datetime import date, time, timedelta

from domain.actions import Action
from domain.choices import BenefitType, DeclineReason, Outcome, Role
from domain.corrections import CorrectionReason, RecordedDate
from domain.documentation import DocumentKind
from domain.errors import DomainError
from domain.participants import ParticipantDetails
from services import casework, documents, meetings, placements, referrals
from services.program_setup import current_program
from storage.models import Meeting, Municipality, Referral
from tests.support.clock import moment
from tests.support.world import personnummer

TODAY = date(2026, 11, 23)
NOW = moment(TODAY)


def _request_id(referral: Referral) -> int | None:
    request = referrals.current_request(referral)
    return request.id if request else None


def _unasked(session, referral: Referral) -> int:
    asked = {r.municipality_id for r in referral.requests}
    return next(m.id for m in session.query(Municipality) if m.id not in asked)


def _correction(referral: Referral) -> tuple[RecordedDate, date]:
    placement = referral.placement
    if placement is not None and placement.ended_on is not None:
        return RecordedDate.ENDED, placement.ended_on - timedelta(days=1)
    started = placement.started_on if placement and placement.started_on else TODAY
    return RecordedDate.STARTED, started - timedelta(days=1)


def _first_unheld(session, referral: Referral) -> int:
    found = session.query(Meeting).filter_by(referral_id=referral.id, held_on=None).first()
    return found.id if found else -1


def _planned_end(referral: Referral) -> date:
    placement = referral.placement
    return (placement.planned_end_on if placement and placement.planned_end_on else TODAY) + (
        timedelta(days=1)
    )


TRIES = {
    Action.WITHDRAW: lambda s, a, r: referrals.withdraw_referral(s, actor=a, referral=r, now=NOW),
    Action.ASK_ANOTHER: lambda s, a, r: referrals.request_placement(
        s, actor=a, referral=r, municipality_id=_unasked(s, r), now=NOW
    ),
    Action.ACCEPT: lambda s, a, r: referrals.accept_request(
        s,
        actor=a,
        request_id=_request_id(r) or -1,
        meeting_on=TODAY + timedelta(days=3),
        meeting_time=time(10),
        place="Rum 1",
        now=NOW,
        over_capacity_confirmed=True,
    ),
    Action.DECLINE: lambda s, a, r: referrals.decline_request(
        s,
        actor=a,
        request_id=_request_id(r) or -1,
        reason=DeclineReason.LOCATION,
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
        s, actor=a, referral_id=r.id, new_end=_planned_end(r), now=NOW
    ),
    Action.END: lambda s, a, r: placements.end_placement(
        s, actor=a, referral_id=r.id, ended_on=TODAY, outcome=Outcome.WORK, now=NOW
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


def test_every_action_has_its_try():
    assert set(TRIES) == set(Action)


def _states(world, investigator, osby) -> dict[str, int]:
    """One referral in each state a referral can be in (and a few kinds of running one)."""
    numbers = iter(personnummer(9000 + n) for n in range(100))

    def create(session, submit: bool) -> int:
        referral = referrals.create_referral(
            session,
            actor=investigator,
            participant=ParticipantDetails("Anna Andersson", next(numbers)),
            benefit_type=BenefitType.SICKNESS_BENEFIT,
            preferred_municipality_id=None,
            consent_given=True,
            consent_on=TODAY,
            now=NOW,
        )
        if submit:
            referrals.submit_referral(session, actor=investigator, referral=referral, now=NOW)
        return referral.id

    def answer(referral_id: int, accept: bool) -> None:
        request_id = world.open_request_id(referral_id)
        if accept:
            world.do(
                referrals.accept_request,
                actor=osby,
                request_id=request_id,
                meeting_on=TODAY + timedelta(days=3),
                meeting_time=time(10),
                place="Rum 1",
                now=NOW,
            )
        else:
            world.do(
                referrals.decline_request,
                actor=osby,
                request_id=request_id,
                reason=DeclineReason.NO_CAPACITY,
                comment="",
                now=NOW,
            )

    def follow_up(referral_id: int) -> None:
        world.do(
            lambda s: meetings.book_follow_up(
                s,
                actor=osby,
                referral=s.get(Referral, referral_id),
                on=TODAY + timedelta(days=4),
                at=time(9),
                place="Rum 1",
                now=NOW,
            )
        )

    def ended(outcome: Outcome, report: bool) -> int:
        referral = world.started(investigator, osby, "Osby", date(2026, 6, 1))
        world.do(
            placements.end_placement,
            actor=osby,
            referral_id=referral.id,
            ended_on=date(2026, 11, 16),
            outcome=outcome,
            now=moment(date(2026, 11, 16)),
        )
        if report:
            world.do(
                placements.record_final_report,
                actor=osby,
                referral_id=referral.id,
                received_on=date(2026, 11, 20),
                now=moment(date(2026, 11, 20)),
            )
        return referral.id

    found = {
        "draft": world.do(lambda s: create(s, submit=False)),
        "submitted": world.do(lambda s: create(s, submit=True)),
        "requested": world.file(investigator, "Osby", date(2026, 11, 20)).id,
    }
    found["declined"] = world.file(investigator, "Osby", date(2026, 11, 20)).id
    answer(found["declined"], accept=False)
    found["accepted"] = world.file(investigator, "Osby", date(2026, 11, 20)).id
    answer(found["accepted"], accept=True)
    found["started"] = world.started(investigator, osby, "Osby", date(2026, 11, 2)).id
    follow_up(found["started"])
    busy = world.started(investigator, osby, "Osby", date(2026, 9, 7)).id
    for use_case, name, on in (
        (placements.record_assessment_plan, "done_on", date(2026, 9, 20)),
        (placements.record_workplace_training, "started_on", date(2026, 10, 5)),
    ):
        world.do(use_case, actor=osby, referral_id=busy, now=moment(on), **{name: on})
    world.do(
        placements.extend_placement,
        actor=osby,
        referral_id=busy,
        new_end=date(2027, 5, 6),
        now=NOW,
    )
    follow_up(busy)
    found["started with milestones and extended"] = busy
    found["ended with work, no final report"] = ended(Outcome.WORK, report=False)
    found["ended with dropout, final report"] = ended(Outcome.DROPOUT, report=True)
    found["withdrawn"] = world.file(investigator, "Osby", date(2026, 11, 20)).id
    world.do(
        lambda s: referrals.withdraw_referral(
            s, actor=investigator, referral=s.get(Referral, found["withdrawn"]), now=NOW
        )
    )
    return found


def test_the_page_offers_exactly_what_the_use_case_accepts(world):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    people = {
        "investigator": investigator,
        "other investigator": world.user(Role.INVESTIGATOR),
        "coordinator": world.user(Role.COORDINATOR),
        "Osby": osby,
        "Kristianstad": world.user(Role.MUNICIPALITY_CONTACT, "Kristianstad"),
        "association": world.user(Role.ASSOCIATION),
        "admin": world.user(Role.ADMIN),
    }
    states = _states(world, investigator, osby)
    disagreements = []
    offered_anywhere = set()
    for state, referral_id in states.items():
        for who, actor in people.items():
            session = world.sessions()
            try:
                referral = session.get(Referral, referral_id)
                offered = casework.actions_for(
                    actor, referral, today=TODAY, program=current_program(session)
                )
            finally:
                session.rollback()
                session.close()
            offered_anywhere |= offered
            for action, attempt in TRIES.items():
                session = world.sessions()
                try:
                    attempt(session, actor, session.get(Referral, referral_id))
                    session.flush()
                    accepted, why = True, ""
                except DomainError as refused:
                    accepted, why = False, str(refused)
                finally:
                    session.rollback()
                    session.close()
                if accepted != (action in offered):
                    disagreements.append((state, who, action.value, action in offered, why))
    assert disagreements == [], "\n".join(map(str, disagreements))
    assert offered_anywhere == set(Action)  # every action is reached by some state
    states_count = len(states)
    assert states_count == 10
