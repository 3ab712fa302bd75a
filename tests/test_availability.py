"""Free places = capacity − started − accepted-not-yet-started, per municipality."""

from __future__ import annotations

from datetime import date

import pytest

from domain.availability import Availability, MunicipalityPlaces, suggest_municipality
from domain.choices import Role
from domain.errors import NotAllowed, RuleViolation
from services import municipalities, referrals, reports
from storage.models import Referral
from tests.support.clock import moment

DAY = date(2026, 11, 23)


def places(world, name: str) -> MunicipalityPlaces:
    found = world.read(reports.availability).municipalities
    return next(m for m in found if m.municipality == name)


def test_free_places_count_started_and_accepted_but_not_requested(world):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    assert (places(world, "Osby").capacity, places(world, "Osby").free) == (5, 5)
    world.started(investigator, osby, "Osby", date(2026, 11, 2))
    accepted = world.file(investigator, "Osby", DAY)
    world.do(
        referrals.accept_request,
        actor=osby,
        request_id=world.open_request_id(accepted.id),
        meeting_on=DAY,
        now=moment(DAY),
    )
    world.file(investigator, "Osby", DAY)  # only asked: does not take a place yet
    osby_places = places(world, "Osby")
    assert (osby_places.started, osby_places.accepted_not_started, osby_places.free) == (1, 1, 3)
    assert places(world, "Kristianstad").free == 15


def test_a_withdrawn_acceptance_gives_the_place_back(world):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    referral = world.file(investigator, "Osby", DAY)
    world.do(
        referrals.accept_request,
        actor=osby,
        request_id=world.open_request_id(referral.id),
        meeting_on=DAY,
        now=moment(DAY),
    )
    assert places(world, "Osby").free == 4
    world.do(
        lambda s: referrals.withdraw_referral(
            s, actor=investigator, referral=s.get(Referral, referral.id), now=moment(DAY, 12)
        )
    )
    assert places(world, "Osby").free == 5


def test_the_contact_sets_their_own_capacity_only(world):
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    world.do(
        municipalities.set_capacity,
        actor=osby,
        municipality_id=world.municipality("Osby"),
        capacity=8,
        now=moment(DAY),
    )
    assert places(world, "Osby").capacity == 8
    with pytest.raises(NotAllowed):
        world.do(
            municipalities.set_capacity,
            actor=osby,
            municipality_id=world.municipality("Bromölla"),
            capacity=8,
            now=moment(DAY),
        )
    with pytest.raises(RuleViolation):
        world.do(
            municipalities.set_capacity,
            actor=osby,
            municipality_id=world.municipality("Osby"),
            capacity=-1,
            now=moment(DAY),
        )


def test_over_capacity_shows_as_negative_but_lends_nothing_to_the_total():
    a = MunicipalityPlaces(1, "A", capacity=2, started=3, accepted_not_started=0)
    b = MunicipalityPlaces(2, "B", capacity=4, started=1, accepted_not_started=1)
    availability = Availability((a, b))
    assert (a.free, b.free, availability.free) == (-1, 2, 2)


def test_the_suggestion_prefers_the_wished_location_when_it_has_room():
    a = MunicipalityPlaces(1, "A", capacity=2, started=2, accepted_not_started=0)
    b = MunicipalityPlaces(2, "B", capacity=4, started=1, accepted_not_started=0)
    c = MunicipalityPlaces(3, "C", capacity=2, started=0, accepted_not_started=0)
    both = Availability((a, b, c))
    assert suggest_municipality(both, preferred_municipality_id=3) == 3
    assert suggest_municipality(both, preferred_municipality_id=1) == 2  # A is full
    assert suggest_municipality(both, preferred_municipality_id=None) == 2
