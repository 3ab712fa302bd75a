"""One open referral per person: a second one is refused with the first one's code, a closed
one lets the person be referred again, and two filed at the same moment leave one."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from domain.choices import Role
from domain.errors import RuleViolation
from domain.participants import ParticipantDetails
from locales import render
from services import referrals
from storage.models import Referral
from tests.support.clock import moment

DAY = date(2026, 11, 20)
PERSON = ParticipantDetails("Anna Andersson", "19810923-9809")


@pytest.fixture
def investigator(world):
    return world.user(Role.INVESTIGATOR)


def refused_text(world, investigator, participant=PERSON) -> str:
    with pytest.raises(RuleViolation) as refused:
        world.file(investigator, "Kristianstad", DAY, participant=participant)
    assert refused.value.field == "personal_identity_number"
    return render(refused.value.text)


def count(world) -> int:
    return world.read(lambda s: s.scalar(select(func.count()).select_from(Referral)))


def test_a_second_open_referral_is_refused_naming_the_first(world, investigator):
    first = world.file(investigator, "Osby", DAY, participant=PERSON)
    other_investigator = world.user(Role.INVESTIGATOR)
    # Written another way, by another investigator: still the same person.
    again = ParticipantDetails("Anna Andersson", "810923-9809")
    assert refused_text(world, other_investigator, participant=again) == (
        f"Personen har redan en öppen anmälan, {first.reference_code}. En person kan ha en "
        "öppen anmälan åt gången: följ upp den eller återkalla den först."
    )
    assert count(world) == 1


def test_after_a_withdrawal_the_person_can_be_referred_again(world, investigator):
    first = world.file(investigator, "Osby", DAY, participant=PERSON)
    world.do(
        lambda s: referrals.withdraw_referral(
            s, actor=investigator, referral=s.get(Referral, first.id), now=moment(DAY)
        )
    )
    second = world.file(investigator, "Kristianstad", DAY, participant=PERSON)
    assert second.reference_code != first.reference_code
    assert count(world) == 2


def test_a_declined_or_running_referral_is_still_open(world, investigator):
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    running = world.started(investigator, osby, "Osby", date(2026, 11, 2))
    number = world.read(lambda s: s.get(Referral, running.id).participant.personal_identity_number)
    assert f"redan en öppen anmälan, {running.reference_code}" in refused_text(
        world, investigator, participant=ParticipantDetails("Anna Andersson", number)
    )


def test_two_filed_at_the_same_moment_leave_one(world, investigator, sessions):
    """The second checks before the first has committed, so only the database can see the
    clash: its unique index keeps one, and the second gets the same sentence."""
    from storage.db import unit_of_work

    results: list[str] = []

    def second() -> None:
        try:
            world.file(investigator, "Osby", DAY, participant=PERSON)
            results.append("filed")
        except RuleViolation as refused:
            results.append(render(refused.text))

    with unit_of_work(sessions) as session:
        first = referrals.file_referral(
            session,
            actor=investigator,
            participant=PERSON,
            benefit_type=referrals.BenefitType.SICKNESS_BENEFIT,
            preferred_municipality_id=None,
            consent_given=True,
            consent_on=DAY,
            municipality_id=world.municipality("Osby"),
            now=moment(DAY),
        )
        code = first.reference_code
        racing = threading.Thread(target=second)
        racing.start()
        racing.join(timeout=1)  # it waits for this transaction (a lock or the index)
        assert racing.is_alive()
    racing.join()
    assert results == [
        f"Personen har redan en öppen anmälan, {code}. En person kan ha en öppen anmälan åt "
        "gången: följ upp den eller återkalla den först."
    ]
    assert count(world) == 1
