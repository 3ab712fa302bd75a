"""Meetings of a placement: the tripartite meeting (booked when the municipality accepts,
held when the placement starts) and the follow-up meetings ("Möten för uppföljning bokas vid
det inledande trepartssamtalet och därefter löpande"). Each has a date, a time and a place;
it can be moved until it is held, and a follow-up is recorded as held afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum

from domain.errors import RuleViolation, checked_text
from domain.text import N_

MAX_PLACE = 200
LENGTH = timedelta(hours=1)  # how long a calendar invitation blocks


class MeetingKind(StrEnum):
    TRIPARTITE = "tripartite"
    FOLLOW_UP = "follow_up"


MEETING_LABELS = {
    MeetingKind.TRIPARTITE: N_("Tripartite meeting"),
    MeetingKind.FOLLOW_UP: N_("Follow-up meeting"),
}


@dataclass(frozen=True)
class Booking:
    """When and where, as checked: a date, a time of day and a place."""

    on: date
    at: time
    place: str


def checked_booking(
    on: date | None,
    at: time | None,
    place: str | None,
    *,
    today: date,
    fields: tuple[str, str, str] = ("on", "at", "place"),
) -> Booking:
    """A meeting booked or moved: not in the past, with a time and a place (a room or an
    address: the calendar invitation carries it, so never a participant's name). `fields`
    names the form's fields for the date, the time and the place."""
    on_field, at_field, place_field = fields
    if on is None:
        raise RuleViolation(N_("Enter the date of the meeting."), field=on_field)
    if on < today:
        raise RuleViolation(N_("A meeting cannot be booked in the past."), field=on_field)
    if at is None:
        raise RuleViolation(N_("Enter the time of the meeting."), field=at_field)
    place = checked_text(place, MAX_PLACE, place_field)
    if not place:
        raise RuleViolation(N_("Enter where the meeting is held."), field=place_field)
    return Booking(on, at, place)


def check_changeable(kind: MeetingKind, held_on: date | None, *, placement_started: bool) -> None:
    """A meeting is moved until it is held; the tripartite meeting until the placement starts
    (recording it as held is what starts the placement)."""
    if held_on is not None or (kind is MeetingKind.TRIPARTITE and placement_started):
        raise RuleViolation(N_("The meeting has been held and can no longer be moved."))


def check_follow_up_held(
    kind: MeetingKind, held_on: date | None, held: date, *, today: date
) -> None:
    if kind is not MeetingKind.FOLLOW_UP:
        raise RuleViolation(
            N_("The tripartite meeting is recorded as held with the placement's start.")
        )
    if held_on is not None:
        raise RuleViolation(
            N_("The meeting is already recorded as held on %(date)s."), date=held_on
        )
    if held > today:
        raise RuleViolation(N_("The date cannot be in the future."), field="held_on")
