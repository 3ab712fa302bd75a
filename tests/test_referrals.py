"""Filing a referral and asking municipalities, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from domain.choices import DeclineReason, Role
from domain.errors import NotAllowed, NotFound, RuleViolation
from domain.events import EventKind
from domain.lifecycle import ReferralStatus
from locales import render
from services import referrals
from services.referrals import AlreadyAnswered
from storage.db import unit_of_work
from storage.models import Event, Participant, PlacementRequest, Referral
from tests.support.clock import moment

DAY = date(2026, 11, 23)


@pytest.fixture
def people(world):
    return {
        "investigator": world.user(Role.INVESTIGATOR),
        "osby": world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "kristianstad": world.user(Role.MUNICIPALITY_CONTACT, "Kristianstad"),
    }


def count(world, model) -> int:
    return world.read(lambda s: s.scalar(select(func.count()).select_from(model)))


def test_filing_gives_a_reference_code_and_opens_a_request(world, people):
    first = world.file(people["investigator"], "Osby", DAY)
    second = world.file(people["investigator"], "Osby", DAY)
    assert (first.reference_code, second.reference_code) == ("MM-2026-0001", "MM-2026-0002")
    assert world.status(first.id) is ReferralStatus.REQUESTED
    request = world.read(lambda s: referrals.open_request_of(s.get(Referral, first.id)))
    assert request.municipality_id == world.municipality("Osby")
    stored = world.read(lambda s: s.get(Participant, first.id))
    assert stored.personal_identity_number == "198109239809"
    kinds = world.read(
        lambda s: list(s.scalars(select(Event.kind).where(Event.referral_id == first.id)))
    )
    assert kinds == ["created", "submitted", "requested"]


def test_no_referral_without_recorded_consent(world, people):
    with pytest.raises(RuleViolation) as caught:
        world.file(people["investigator"], "Osby", DAY, consent_given=False)
    assert caught.value.field == "consent_given"
    assert render(caught.value.text).startswith("Deltagarens samtycke")
    # Nothing half-saved: no referral, no personal data, no request, no code used.
    assert count(world, Referral) == count(world, Participant) == 0
    assert count(world, PlacementRequest) == 0
    assert world.file(people["investigator"], "Osby", DAY).reference_code == "MM-2026-0001"


def test_consent_needs_its_date(world, people):
    with pytest.raises(RuleViolation) as caught:
        world.file(people["investigator"], "Osby", DAY, consent_on=None)
    assert caught.value.field == "consent_given"


def test_no_new_referral_during_the_intake_stop(world, people):
    with pytest.raises(RuleViolation) as caught:
        world.file(people["investigator"], "Osby", date(2028, 10, 2))
    assert render(caught.value.text) == (
        "Programmet har intagsstopp från 1 okt. 2028: inga nya deltagare tas emot, men "
        "pågående träningsplatser fortsätter."
    )
    assert count(world, Referral) == 0


def test_only_investigators_file_referrals(world, people):
    with pytest.raises(NotAllowed):
        world.file(people["osby"], "Osby", DAY)


def test_one_open_request_per_referral(world, people):
    referral = world.file(people["investigator"], "Osby", DAY)
    kristianstad = world.municipality("Kristianstad")
    with pytest.raises(RuleViolation) as caught:
        world.do(
            lambda s: referrals.request_placement(
                s,
                actor=people["investigator"],
                referral=s.get(Referral, referral.id),
                municipality_id=kristianstad,
                now=moment(DAY),
            )
        )
    assert caught.value.field == "municipality"


def test_the_database_itself_refuses_a_second_open_request(world, people):
    referral = world.file(people["investigator"], "Osby", DAY)
    kristianstad = world.municipality("Kristianstad")
    with pytest.raises(IntegrityError), unit_of_work(world.sessions) as session:
        session.add(
            PlacementRequest(
                referral_id=referral.id,
                municipality_id=kristianstad,
                asked_at=moment(DAY),
                asked_by_id=people["investigator"].user_id,
            )
        )


def test_a_decline_needs_a_reason(world, people):
    referral = world.file(people["investigator"], "Osby", DAY)
    request_id = world.open_request_id(referral.id)
    with pytest.raises(RuleViolation) as caught:
        world.do(
            referrals.decline_request,
            actor=people["osby"],
            request_id=request_id,
            reason=None,
            comment="",
            now=moment(DAY),
        )
    assert render(caught.value.text) == "Välj en anledning till att ni avböjer."
    with pytest.raises(RuleViolation) as caught:
        world.do(
            referrals.decline_request,
            actor=people["osby"],
            request_id=request_id,
            reason=DeclineReason.OTHER,
            comment="  ",
            now=moment(DAY),
        )
    assert caught.value.field == "comment"
    assert world.status(referral.id) is ReferralStatus.REQUESTED


def test_after_a_decline_another_municipality_is_asked(world, people):
    referral = world.file(people["investigator"], "Osby", DAY)
    world.do(
        referrals.decline_request,
        actor=people["osby"],
        request_id=world.open_request_id(referral.id),
        reason=DeclineReason.NO_CAPACITY,
        comment="",
        now=moment(DAY),
    )
    assert world.status(referral.id) is ReferralStatus.DECLINED
    kristianstad = world.municipality("Kristianstad")
    world.do(
        lambda s: referrals.request_placement(
            s,
            actor=people["investigator"],
            referral=s.get(Referral, referral.id),
            municipality_id=kristianstad,
            now=moment(DAY, 14),
        )
    )
    assert world.status(referral.id) is ReferralStatus.REQUESTED
    asked = world.read(
        lambda s: [r.municipality.name for r in s.get(Referral, referral.id).requests]
    )
    assert asked == ["Osby", "Kristianstad"]


def test_only_the_asked_municipality_answers(world, people):
    referral = world.file(people["investigator"], "Osby", DAY)
    with pytest.raises(NotAllowed):
        world.do(
            referrals.accept_request,
            actor=people["kristianstad"],
            request_id=world.open_request_id(referral.id),
            meeting_on=DAY,
            now=moment(DAY),
        )
    assert world.status(referral.id) is ReferralStatus.REQUESTED


def test_accepting_books_the_tripartite_meeting(world, people):
    referral = world.file(people["investigator"], "Osby", DAY)
    placement = world.do(
        referrals.accept_request,
        actor=people["osby"],
        request_id=world.open_request_id(referral.id),
        meeting_on=date(2026, 12, 1),
        now=moment(DAY),
    )
    assert placement.meeting_on == date(2026, 12, 1) and placement.started_on is None
    assert world.status(referral.id) is ReferralStatus.ACCEPTED


def test_the_meeting_cannot_be_before_the_request(world, people):
    referral = world.file(people["investigator"], "Osby", DAY)
    with pytest.raises(RuleViolation) as caught:
        world.do(
            referrals.accept_request,
            actor=people["osby"],
            request_id=world.open_request_id(referral.id),
            meeting_on=date(2026, 11, 1),
            now=moment(DAY),
        )
    assert caught.value.field == "meeting_on"


def test_an_answer_given_twice_is_refused(world, people):
    referral = world.file(people["investigator"], "Osby", DAY)
    request_id = world.open_request_id(referral.id)
    world.do(
        referrals.accept_request,
        actor=people["osby"],
        request_id=request_id,
        meeting_on=DAY,
        now=moment(DAY),
    )
    with pytest.raises(AlreadyAnswered):
        world.do(
            referrals.decline_request,
            actor=people["osby"],
            request_id=request_id,
            reason=DeclineReason.LOCATION,
            comment="",
            now=moment(DAY),
        )
    assert world.status(referral.id) is ReferralStatus.ACCEPTED


def test_two_contacts_answering_at_once_exactly_one_wins(world, people):
    second_osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    referral = world.file(people["investigator"], "Osby", DAY)
    request_id = world.open_request_id(referral.id)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(actor, accept: bool) -> None:
        session = world.sessions()
        try:
            barrier.wait()
            if accept:
                referrals.accept_request(
                    session, actor=actor, request_id=request_id, meeting_on=DAY, now=moment(DAY)
                )
            else:
                referrals.decline_request(
                    session,
                    actor=actor,
                    request_id=request_id,
                    reason=DeclineReason.NO_CAPACITY,
                    comment="",
                    now=moment(DAY),
                )
            session.commit()
            outcomes.append("won")
        except RuleViolation:
            session.rollback()
            outcomes.append("refused")
        finally:
            session.close()

    threads = [
        threading.Thread(target=answer, args=(people["osby"], True)),
        threading.Thread(target=answer, args=(second_osby, False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "won"]
    answered = world.read(lambda s: s.get(PlacementRequest, request_id))
    expected = ReferralStatus.ACCEPTED if answered.answer == "accepted" else ReferralStatus.DECLINED
    assert world.status(referral.id) is expected


def test_withdrawing_closes_the_open_request(world, people):
    referral = world.file(people["investigator"], "Osby", DAY)
    request_id = world.open_request_id(referral.id)
    world.do(
        lambda s: referrals.withdraw_referral(
            s,
            actor=people["investigator"],
            referral=s.get(Referral, referral.id),
            now=moment(DAY, 12),
        )
    )
    assert world.status(referral.id) is ReferralStatus.WITHDRAWN
    assert world.read(lambda s: s.get(PlacementRequest, request_id).answer) == "withdrawn"
    with pytest.raises(AlreadyAnswered):
        world.do(
            referrals.accept_request,
            actor=people["osby"],
            request_id=request_id,
            meeting_on=DAY,
            now=moment(DAY, 13),
        )


def test_another_investigator_cannot_withdraw(world, people):
    other = world.user(Role.INVESTIGATOR)
    referral = world.file(people["investigator"], "Osby", DAY)
    with pytest.raises(NotFound):
        world.do(
            lambda s: referrals.withdraw_referral(
                s, actor=other, referral=s.get(Referral, referral.id), now=moment(DAY)
            )
        )
    assert world.status(referral.id) is ReferralStatus.REQUESTED


def test_the_event_log_is_append_only(world, people):
    world.file(people["investigator"], "Osby", DAY)
    with pytest.raises(PermissionError), unit_of_work(world.sessions) as session:
        entry = session.scalars(select(Event)).first()
        entry.kind = EventKind.WITHDRAWN
        session.flush()
    with pytest.raises(PermissionError), unit_of_work(world.sessions) as session:
        session.delete(session.scalars(select(Event)).first())
        session.flush()
    assert (
        world.read(
            lambda s: s.scalar(
                select(func.count()).select_from(Event).where(Event.kind == EventKind.WITHDRAWN)
            )
        )
        == 0
    )
