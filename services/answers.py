"""A municipality answers a placement request: accept (and book the tripartite meeting) or
decline. The answer is a compare-and-set on the request row, so of two simultaneous answers
exactly one wins (services.referral_state.close_request)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.orm import Session

from domain import enrolment
from domain.access import Actor, check_answers_for
from domain.actions import Action
from domain.availability import check_room_to_accept
from domain.choices import DeclineReason
from domain.clock import local_date
from domain.errors import RuleViolation, checked_text
from domain.lifecycle import RequestAnswer, Transition
from domain.meetings import Booking, MeetingKind, checked_booking
from domain.participants import MAX_TEXT
from domain.program import Program
from domain.text import N_
from domain.typed_events import RequestAccepted, RequestDeclined
from services import history
from services.program_setup import current_program
from services.referral_state import (
    AlreadyAnswered,
    check_action,
    close_request,
    get_request,
    move_status,
)
from services.reports import places_of
from storage.models import Meeting, Placement


def _booked_meeting(
    program: Program,
    asked_on: date,
    meeting_on: date | None,
    meeting_time: time | None,
    place: str | None,
) -> tuple[date, Booking | None]:
    """The tripartite meeting an accept books: a date not before the request and within the
    program; the web site also gives its time and place, chat books the date only."""
    if meeting_on is None:
        raise RuleViolation(N_("Enter the date of the tripartite meeting."), field="meeting_on")
    enrolment.check_not_before_request(meeting_on, asked_on, field="meeting_on")
    if meeting_on > program.end:
        raise RuleViolation(
            N_("The tripartite meeting must be within the program, which ends %(date)s."),
            field="meeting_on",
            date=program.end,
        )
    if meeting_time is None and place is None:
        return meeting_on, None
    booking = checked_booking(
        meeting_on,
        meeting_time,
        place,
        today=asked_on,
        fields=("meeting_on", "meeting_time", "place"),
    )
    return meeting_on, booking


def _tripartite(
    placement: Placement, on: date, booking: Booking | None, actor: Actor, now: datetime
) -> Meeting:
    """The tripartite meeting the accept booked, as the placement's first meeting."""
    return Meeting(
        referral_id=placement.referral_id,
        kind=MeetingKind.TRIPARTITE,
        on=on,
        at=booking.at if booking else None,
        place=booking.place if booking else "",
        booked_at=now,
        booked_by_id=actor.user_id,
        moves=0,
    )


def accept_request(
    session: Session,
    *,
    actor: Actor,
    request_id: int,
    meeting_on: date | None,
    now: datetime,
    over_capacity_confirmed: bool = False,
    meeting_time: time | None = None,
    place: str | None = None,
) -> Placement:
    """The municipality says yes and books the tripartite meeting. Without a free place it
    asks first (OverCapacity); confirmed, the placement is recorded as over capacity. The
    municipality's row is locked while deciding, so of many accepts at once each sees the
    places the others took."""
    request = get_request(session, request_id)
    check_answers_for(actor, request.municipality_id)
    meeting_on, booking = _booked_meeting(
        current_program(session), local_date(request.asked_at), meeting_on, meeting_time, place
    )
    if request.answered_at is not None:
        raise AlreadyAnswered(request)
    check_action(session, actor=actor, referral=request.referral, action=Action.ACCEPT, now=now)
    over_capacity = check_room_to_accept(
        places_of(session, request.municipality_id, lock=True),
        confirmed=over_capacity_confirmed,
    )
    close_request(session, request, actor, RequestAnswer.ACCEPTED, now)
    move_status(session, request.referral, Transition.ACCEPT)
    placement = Placement(
        referral=request.referral,
        municipality_id=request.municipality_id,
        request_id=request.id,
        meeting_on=meeting_on,
        over_capacity=over_capacity,
    )
    session.add(placement)
    session.flush()
    session.add(_tripartite(placement, meeting_on, booking, actor, now))
    history.record(
        session,
        RequestAccepted(
            referral_id=request.referral_id,
            municipality_id=request.municipality_id,
            request_id=request.id,
            meeting_on=meeting_on,
            over_capacity=over_capacity,
        ),
        at=now,
        actor=actor,
    )
    return placement


def decline_request(
    session: Session,
    *,
    actor: Actor,
    request_id: int,
    reason: DeclineReason | None,
    comment: str,
    now: datetime,
) -> None:
    """The municipality says no, with a reason from the fixed list; FK may ask another."""
    request = get_request(session, request_id)
    check_answers_for(actor, request.municipality_id)
    if not isinstance(reason, DeclineReason):
        raise RuleViolation(N_("Choose a reason for declining."), field="reason")
    comment = checked_text(comment, MAX_TEXT, "comment")
    if reason is DeclineReason.OTHER and not comment:
        raise RuleViolation(
            N_("Describe the reason in the comment when you choose Other reason."),
            field="comment",
        )
    if request.answered_at is not None:
        raise AlreadyAnswered(request)
    check_action(session, actor=actor, referral=request.referral, action=Action.DECLINE, now=now)
    close_request(session, request, actor, RequestAnswer.DECLINED, now)
    request.decline_reason = reason
    request.decline_comment = comment
    move_status(session, request.referral, Transition.DECLINE)
    history.record(
        session,
        RequestDeclined(
            referral_id=request.referral_id,
            municipality_id=request.municipality_id,
            request_id=request.id,
            reason=reason.value,
        ),
        at=now,
        actor=actor,
    )
