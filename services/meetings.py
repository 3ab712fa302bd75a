"""Use cases for a placement's meetings: book a follow-up, move a meeting, record a
follow-up as held, and read them (for the page and the calendar invitation).

The municipality running the placement books and moves them (domain.actions); everyone who
may see the referral sees them. The tripartite meeting is booked by accepting
(services.referrals) and recorded as held by starting the placement (services.placements).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor, check_sees_referral
from domain.actions import Action
from domain.clock import local_date
from domain.errors import NotFound, RuleViolation
from domain.lifecycle import ReferralStatus
from domain.meetings import (
    MeetingKind,
    check_changeable,
    check_follow_up_held,
    checked_booking,
)
from domain.text import N_
from domain.typed_events import MeetingBooked, MeetingHeld, MeetingMoved
from services import history
from services.referrals import check_action, facts_of
from storage.models import Meeting, Referral


def tripartite_of(session: Session, referral_id: int) -> Meeting | None:
    return session.scalars(
        select(Meeting).where(
            Meeting.referral_id == referral_id, Meeting.kind == MeetingKind.TRIPARTITE
        )
    ).first()


def meetings_of(session: Session, *, actor: Actor, referral: Referral) -> list[Meeting]:
    """The referral's meetings in date order, for whoever may see the referral."""
    check_sees_referral(actor, facts_of(referral))
    return list(
        session.scalars(
            select(Meeting)
            .where(Meeting.referral_id == referral.id)
            .order_by(Meeting.on, Meeting.at, Meeting.id)
        )
    )


def get_meeting(session: Session, *, actor: Actor, referral: Referral, meeting_id: int) -> Meeting:
    check_sees_referral(actor, facts_of(referral))
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.referral_id != referral.id:
        raise NotFound(N_("There is no such meeting."))
    return meeting


def book_follow_up(
    session: Session,
    *,
    actor: Actor,
    referral: Referral,
    on: date | None,
    at: time | None,
    place: str | None,
    now: datetime,
) -> Meeting:
    check_action(session, actor=actor, referral=referral, action=Action.BOOK_MEETING, now=now)
    booking = checked_booking(on, at, place, today=local_date(now))
    meeting = Meeting(
        referral_id=referral.id,
        kind=MeetingKind.FOLLOW_UP,
        on=booking.on,
        at=booking.at,
        place=booking.place,
        booked_at=now,
        booked_by_id=actor.user_id,
        moves=0,
    )
    session.add(meeting)
    session.flush()
    about = _about(referral, meeting)
    history.record(session, MeetingBooked(**about), at=now, actor=actor)
    return meeting


def move_meeting(
    session: Session,
    *,
    actor: Actor,
    referral: Referral,
    meeting_id: int,
    on: date | None,
    at: time | None,
    place: str | None,
    now: datetime,
) -> Meeting:
    """Another day, time or place; a moved tripartite meeting moves the placement's booked
    date with it."""
    check_action(session, actor=actor, referral=referral, action=Action.CHANGE_MEETING, now=now)
    meeting = get_meeting(session, actor=actor, referral=referral, meeting_id=meeting_id)
    check_changeable(
        meeting.kind,
        meeting.held_on,
        placement_started=referral.status is not ReferralStatus.ACCEPTED,
    )
    booking = checked_booking(on, at, place, today=local_date(now))
    if (booking.on, booking.at, booking.place) == (meeting.on, meeting.at, meeting.place):
        raise RuleViolation(N_("Nothing was changed: the meeting is as before."))
    previous = meeting.on
    meeting.on, meeting.at, meeting.place = booking.on, booking.at, booking.place
    meeting.moves += 1
    if meeting.kind is MeetingKind.TRIPARTITE and referral.placement is not None:
        referral.placement.meeting_on = booking.on
    about = _about(referral, meeting)
    history.record(session, MeetingMoved(**about, previous=previous), at=now, actor=actor)
    return meeting


def record_follow_up_held(
    session: Session,
    *,
    actor: Actor,
    referral: Referral,
    meeting_id: int,
    held_on: date | None,
    now: datetime,
) -> Meeting:
    check_action(session, actor=actor, referral=referral, action=Action.CHANGE_MEETING, now=now)
    meeting = get_meeting(session, actor=actor, referral=referral, meeting_id=meeting_id)
    if held_on is None:
        raise RuleViolation(N_("Enter a date."), field="held_on")
    check_follow_up_held(meeting.kind, meeting.held_on, held_on, today=local_date(now))
    meeting.held_on = held_on
    about = _about(referral, meeting)
    history.record(session, MeetingHeld(**about, held_on=held_on), at=now, actor=actor)
    return meeting


class _MeetingFields(TypedDict):
    referral_id: int
    municipality_id: int | None
    meeting_id: int
    meeting_kind: str
    on: date | None


def _about(referral: Referral, meeting: Meeting) -> _MeetingFields:
    """What every event about a meeting says: which meeting, of what kind, on which day."""
    return _MeetingFields(
        referral_id=referral.id,
        municipality_id=referral.placement.municipality_id if referral.placement else None,
        meeting_id=meeting.id,
        meeting_kind=meeting.kind.value,
        on=meeting.on,
    )
