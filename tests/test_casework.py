"""Lists without personal data, the actions a viewer may take, the audit of personal data,
and the status history as Swedish sentences."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from domain.actions import Action
from domain.choices import DeclineReason, Role
from domain.errors import NotAllowed, NotFound
from domain.event_texts import describe
from locales import render
from services import audit, casework, lists, referrals
from services.history import history_of
from services.program_setup import current_program
from services.reports import availability
from storage.models import Municipality, Referral
from tests.support.clock import moment

DAY = date(2026, 11, 20)
TODAY = date(2026, 11, 23)
NOW = moment(TODAY)


@pytest.fixture
def people(world):
    return {
        "investigator": world.user(Role.INVESTIGATOR),
        "other": world.user(Role.INVESTIGATOR),
        "osby": world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "kristianstad": world.user(Role.MUNICIPALITY_CONTACT, "Kristianstad"),
        "coordinator": world.user(Role.COORDINATOR),
        "association": world.user(Role.ASSOCIATION),
    }


def actions(world, actor, referral_id):
    return world.read(
        lambda s: casework.actions_for(
            actor, s.get(Referral, referral_id), today=TODAY, program=current_program(s)
        )
    )


def test_lists_belong_to_their_readers(world, people):
    mine = world.file(people["investigator"], "Osby", DAY)
    world.file(people["other"], "Kristianstad", DAY)
    own = world.read(lambda s: lists.referrals_for(s, actor=people["investigator"], now=NOW))
    assert [r.reference_code for r in own.rows] == [mine.reference_code]
    assert own.rows[0].municipality == "Osby"
    every = world.read(lambda s: lists.referrals_for(s, actor=people["coordinator"], now=NOW))
    assert every.total == 2
    osby = world.municipality("Osby")
    only_osby = world.read(
        lambda s: lists.referrals_for(s, actor=people["coordinator"], municipality_id=osby, now=NOW)
    )
    assert [r.reference_code for r in only_osby.rows] == [mine.reference_code]
    with pytest.raises(NotAllowed):
        world.read(lambda s: lists.referrals_for(s, actor=people["association"], now=NOW))


def test_the_inbox_has_the_own_municipalitys_open_requests_and_placements(world, people):
    asked = world.file(people["investigator"], "Osby", DAY)
    world.file(people["investigator"], "Kristianstad", DAY)
    running = world.started(people["investigator"], people["osby"], "Osby", date(2026, 11, 2))
    inbox = world.read(lambda s: lists.inbox_for(s, actor=people["osby"], now=NOW))
    assert [r.reference_code for r in inbox.open_requests.rows] == [asked.reference_code]
    assert [r.reference_code for r in inbox.placements.rows] == [running.reference_code]
    with pytest.raises(NotAllowed):
        world.read(lambda s: lists.inbox_for(s, actor=people["investigator"], now=NOW))


def test_actions_follow_the_role_and_the_state(world, people):
    referral = world.file(people["investigator"], "Osby", DAY)
    assert actions(world, people["investigator"], referral.id) == {
        Action.WITHDRAW,
        Action.EDIT_PARTICIPANT,
        Action.WITHDRAW_CONSENT,
    }
    assert actions(world, people["osby"], referral.id) == {Action.ACCEPT, Action.DECLINE}
    assert actions(world, people["kristianstad"], referral.id) == set()
    assert actions(world, people["other"], referral.id) == set()
    world.do(
        referrals.decline_request,
        actor=people["osby"],
        request_id=world.open_request_id(referral.id),
        reason=DeclineReason.LOCATION,
        comment="",
        now=moment(DAY),
    )
    assert actions(world, people["coordinator"], referral.id) == {
        Action.WITHDRAW,
        Action.ASK_ANOTHER,
        Action.EDIT_PARTICIPANT,
        Action.WITHDRAW_CONSENT,
    }
    assert actions(world, people["osby"], referral.id) == set()
    started = world.started(people["investigator"], people["osby"], "Osby", date(2026, 11, 2))
    assert actions(world, people["osby"], started.id) == {
        Action.END,
        Action.ASSESSMENT_PLAN,
        Action.WORKPLACE_TRAINING,
        Action.EXTEND,
        Action.CORRECT_DATE,
        Action.BOOK_MEETING,
        Action.CHANGE_MEETING,
        Action.WRITE_PLAN,
    }
    # FK may still learn that the participant has skyddade personuppgifter (issue 28).
    assert actions(world, people["investigator"], started.id) == {
        Action.WITHDRAW_CONSENT,
        Action.MARK_PROTECTED,
    }


def test_after_a_decline_the_suggestion_skips_the_municipalities_asked(world, people):
    referral = world.file(people["investigator"], "Kristianstad", DAY)
    world.do(
        referrals.decline_request,
        actor=people["kristianstad"],
        request_id=world.open_request_id(referral.id),
        reason=DeclineReason.NO_CAPACITY,
        comment="",
        now=moment(DAY),
    )

    def suggest(session):
        return casework.suggest_next_municipality(
            availability(session), session.get(Referral, referral.id)
        )

    suggested = world.read(suggest)
    names = world.read(lambda s: {m.id: m.name for m in s.scalars(select(Municipality))})
    assert names[suggested] == "Östra Göinge"  # most free places after Kristianstad (15)


def test_a_request_of_another_referral_is_not_found(world, people):
    first = world.file(people["investigator"], "Osby", DAY)
    second = world.file(people["investigator"], "Osby", DAY)
    other_request = world.open_request_id(second.id)
    with pytest.raises(NotFound):
        world.read(lambda s: casework.request_of(s.get(Referral, first.id), other_request))


def test_personal_data_is_given_only_to_those_allowed_and_each_view_is_logged(world, people):
    referral = world.file(people["investigator"], "Osby", DAY)

    def look(actor):
        def run(session):
            found = audit.personal_data_for(
                session,
                actor=actor,
                referral=session.get(Referral, referral.id),
                now=moment(DAY),
                address="10.1.1.1",
            )
            return found.name if found else None

        return world.do(run)

    assert look(people["osby"]) == "Anna Andersson"
    assert look(people["coordinator"]) == "Anna Andersson"
    assert look(people["kristianstad"]) is None
    assert look(people["other"]) is None
    assert look(people["association"]) is None
    logged = world.read(
        lambda s: [
            (e.user_id, e.role, e.action, e.address, e.fields)
            for e in audit.views_of(s, referral.id)
        ]
    )
    fields = ["personal_details", "needs"]  # no decline comment: none shown, none logged
    assert logged == [
        (people["osby"].user_id, Role.MUNICIPALITY_CONTACT, "referral_page", "10.1.1.1", fields),
        (people["coordinator"].user_id, Role.COORDINATOR, "referral_page", "10.1.1.1", fields),
    ]


def test_the_history_reads_as_swedish_sentences(world, people):
    referral = world.file(people["investigator"], "Osby", DAY)
    world.do(
        referrals.decline_request,
        actor=people["osby"],
        request_id=world.open_request_id(referral.id),
        reason=DeclineReason.NO_CAPACITY,
        comment="",
        now=moment(DAY),
    )

    def sentences(session):
        names = {m.id: m.name for m in session.scalars(select(Municipality))}
        return [render(describe(e, names)) for e in history_of(session, referral.id)]

    assert world.read(sentences) == [
        "Anmälan skapades.",
        "Anmälan skickades.",
        "Osby tillfrågades om att ta emot deltagaren.",
        "Osby avböjde: Ingen kapacitet.",
    ]
