"""Meetings: the tripartite meeting has a date, a time and a place from the acceptance;
follow-ups are booked, moved and recorded as held by the municipality running the placement;
each meeting's calendar invitation names the code and the municipality, never the person."""

from __future__ import annotations

from datetime import date, time

import pytest
from icalendar import Calendar

from domain.choices import Role
from domain.errors import NotAllowed, RuleViolation
from domain.meetings import MeetingKind
from locales import render
from services import meetings, referrals
from storage.models import Meeting, Referral
from tests.support.clock import moment
from web.calendar import invitation

TODAY = date(2026, 11, 23)


@pytest.fixture
def people(world):
    return {
        "investigator": world.user(Role.INVESTIGATOR),
        "osby": world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "kristianstad": world.user(Role.MUNICIPALITY_CONTACT, "Kristianstad"),
    }


def listed(world, actor, referral):
    return world.read(
        lambda s: [
            (m.kind, m.on, m.at, m.place, m.held_on, m.moves)
            for m in meetings.meetings_of(s, actor=actor, referral=s.get(Referral, referral.id))
        ]
    )


def test_the_tripartite_meeting_is_booked_with_time_and_place_and_moved(world, people):
    referral = world.file(people["investigator"], "Osby", date(2026, 11, 20))
    world.do(
        referrals.accept_request,
        actor=people["osby"],
        request_id=world.open_request_id(referral.id),
        meeting_on=date(2026, 11, 30),
        meeting_time=time(10, 0),
        place="Osby kommunhus, rum 2",
        now=moment(TODAY),
    )
    [(kind, on, at, place, held, moves)] = listed(world, people["investigator"], referral)
    assert (kind, on, at, place, held, moves) == (
        MeetingKind.TRIPARTITE,
        date(2026, 11, 30),
        time(10, 0),
        "Osby kommunhus, rum 2",
        None,
        0,
    )
    meeting_id = world.read(lambda s: s.query(Meeting).one().id)
    world.do(
        lambda s: meetings.move_meeting(
            s,
            actor=people["osby"],
            referral=s.get(Referral, referral.id),
            meeting_id=meeting_id,
            on=date(2026, 12, 2),
            at=time(13, 30),
            place="Osby kommunhus, rum 2",
            now=moment(TODAY),
        )
    )
    placement = world.read(lambda s: s.get(Referral, referral.id).placement)
    assert placement.meeting_on == date(2026, 12, 2)  # the booked date follows
    assert listed(world, people["osby"], referral)[0][5] == 1


def test_follow_ups_are_booked_moved_and_held_by_the_running_municipality(world, people):
    running = world.started(people["investigator"], people["osby"], "Osby", date(2026, 11, 2))

    def book(actor, on, at=time(9, 0), place="Arbetsplatsen, Industrigatan 4"):
        return world.do(
            lambda s: (
                meetings.book_follow_up(
                    s,
                    actor=actor,
                    referral=s.get(Referral, running.id),
                    on=on,
                    at=at,
                    place=place,
                    now=moment(TODAY),
                ).id
            )
        )

    first = book(people["osby"], date(2026, 11, 25))
    with pytest.raises(NotAllowed):
        book(people["kristianstad"], date(2026, 11, 26))
    with pytest.raises(NotAllowed):
        book(people["investigator"], date(2026, 11, 26))
    for on, at, place, message in [
        (date(2026, 11, 20), time(9), "Rum 1", "Ett möte kan inte bokas bakåt i tiden."),
        (date(2026, 11, 26), None, "Rum 1", "Ange mötets tid."),
        (date(2026, 11, 26), time(9), "  ", "Ange var mötet hålls."),
    ]:
        with pytest.raises(RuleViolation) as refused:
            book(people["osby"], on, at, place)
        assert render(refused.value.text) == message

    def held(on):
        world.do(
            lambda s: meetings.record_follow_up_held(
                s,
                actor=people["osby"],
                referral=s.get(Referral, running.id),
                meeting_id=first,
                held_on=on,
                now=moment(date(2026, 11, 26)),
            )
        )

    with pytest.raises(RuleViolation) as early:
        held(date(2026, 11, 27))
    assert render(early.value.text) == "Datumet kan inte ligga i framtiden."
    held(date(2026, 11, 25))
    kinds = [
        (k, held_on) for k, _on, _at, _p, held_on, _m in listed(world, people["osby"], running)
    ]
    assert kinds == [
        (MeetingKind.TRIPARTITE, date(2026, 11, 2)),  # held when the placement started
        (MeetingKind.FOLLOW_UP, date(2026, 11, 25)),
    ]


def test_the_calendar_invitation_names_no_participant(world, people):
    referral = world.file(people["investigator"], "Osby", date(2026, 11, 20))
    body = invitation(
        meeting_id=7,
        kind=MeetingKind.TRIPARTITE,
        on=date(2026, 11, 30),
        at=time(10, 0),
        place="Osby kommunhus, rum 2",
        moves=2,
        code=referral.reference_code,
        municipality="Osby",
        host="mm.example",
        now=moment(TODAY),
    )
    [event] = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["summary"]) == f"Trepartssamtal {referral.reference_code}, Osby"
    assert str(event["description"]) == (
        f"Möjlighetsmodellen: trepartssamtal om anmälan {referral.reference_code} i Osby. "
        "Allt om anmälan finns på webbplatsen, bakom inloggning."
    )
    start = event.decoded("dtstart")
    assert (start.isoformat(), str(start.tzinfo)) == (
        "2026-11-30T10:00:00+01:00",
        "Europe/Stockholm",
    )
    assert event.decoded("dtend").hour == 11
    assert (str(event["location"]), int(event["sequence"]), str(event["uid"])) == (
        "Osby kommunhus, rum 2",
        2,
        "meeting-7@mm.example",
    )
    participant = world.read(lambda s: s.get(Referral, referral.id).participant)
    text = body.decode()
    for personal in (participant.name, participant.personal_identity_number, participant.phone):
        assert personal not in text
