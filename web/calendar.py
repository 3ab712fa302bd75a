"""Calendar invitations (.ics, RFC 5545, with the icalendar package) for a placement's
meetings. The title and the description carry the reference code and the municipality
only: the file ends up in calendars in other clouds, so never the participant."""

from __future__ import annotations

from datetime import date, datetime, time

import locales
from domain.clock import STOCKHOLM
from domain.meetings import LENGTH, MEETING_LABELS, MeetingKind


def invitation(
    *,
    meeting_id: int,
    kind: MeetingKind,
    on: date,
    at: time | None,
    place: str,
    moves: int,
    code: str,
    municipality: str,
    host: str,
    now: datetime,
) -> bytes:
    # Loaded by the first invitation, not by every worker that never makes one.
    from icalendar import Calendar, Event

    what = locales.gettext(MEETING_LABELS[kind])
    event = Event()
    # The same UID with a higher SEQUENCE: a calendar replaces the meeting when it is moved.
    event.add("uid", f"meeting-{meeting_id}@{host}")
    event.add("sequence", moves)
    event.add("dtstamp", now)
    event.add(
        "summary",
        locales.gettext(
            "%(meeting)s %(code)s, %(municipality)s",
            meeting=what,
            code=code,
            municipality=municipality,
        ),
    )
    event.add(
        "description",
        locales.gettext(
            "Möjlighetsmodellen: %(meeting)s about referral %(code)s in %(municipality)s. "
            "Everything about the referral is on the web site, behind login.",
            meeting=what.lower(),
            code=code,
            municipality=municipality,
        ),
    )
    if at is None:  # booked with a date only: an all-day entry
        event.add("dtstart", on)
    else:
        start = datetime.combine(on, at, STOCKHOLM)
        event.add("dtstart", start)
        event.add("dtend", start + LENGTH)
    if place:
        event.add("location", place)
    calendar = Calendar()
    calendar.add("prodid", "-//Möjlighetsmodellen//Kalenderinbjudan//SV")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
