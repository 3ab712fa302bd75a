"""Capacity is respected: an accept without a free place asks first and is recorded as over
capacity; a municipality closed to intake is not asked; free places are never shown below
zero; and many accepts or capacity changes at once leave the right numbers and history, on
both databases."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from domain.availability import Availability as Places
from domain.availability import (
    MunicipalityPlaces,
    OverCapacity,
    check_room_to_accept,
    suggest_municipality,
)
from domain.choices import IntakeState, Role
from domain.errors import RuleViolation
from domain.events import EventKind
from locales import phrases, render
from services import municipalities, referrals, reports
from storage.models import Event, Municipality, Placement
from tests.support.clock import moment

DAY = date(2026, 11, 20)
MEETING = date(2026, 11, 30)


def places(free: int, state: IntakeState = IntakeState.OPEN, n: int = 1) -> MunicipalityPlaces:
    return MunicipalityPlaces(
        n, "Osby", capacity=5, started=5 - free, accepted_not_started=0, state=state
    )


def test_free_places_are_never_told_below_zero():
    over = places(-2)
    assert (over.free, over.free_now, over.over_capacity) == (-2, 0, 2)
    assert phrases.place_line(over) == (
        "Osby: över kapaciteten med 2 (kapacitet 5, startade 7, accepterade men inte startade 0)"
    )
    assert (places(3).free_now, places(3).over_capacity) == (3, 0)


def test_an_accept_without_a_free_place_asks_first():
    assert check_room_to_accept(places(1), confirmed=False) is False
    with pytest.raises(OverCapacity) as asked:
        check_room_to_accept(places(0), confirmed=False)
    assert render(asked.value.text) == "Osby har 0 lediga platser. Acceptera ändå?"
    with pytest.raises(OverCapacity) as asked:
        check_room_to_accept(places(-2), confirmed=False)
    assert render(asked.value.text) == "Osby är redan över kapaciteten med 2. Acceptera ändå?"
    assert check_room_to_accept(places(0), confirmed=True) is True


def test_the_suggestion_is_an_open_municipality_with_room():
    waiting = places(4, IntakeState.WAITING_LIST, n=1)
    closed = places(5, IntakeState.CLOSED, n=2)
    open_ = places(1, n=3)
    assert suggest_municipality(Places((waiting, closed, open_)), 1) == 3


def accept(world, contact, referral, *, confirmed=False):
    return world.do(
        referrals.accept_request,
        actor=contact,
        request_id=world.open_request_id(referral.id),
        meeting_on=MEETING,
        now=moment(DAY),
        over_capacity_confirmed=confirmed,
    )


def set_capacity(world, capacity, state=None, name="Osby"):
    admin = world.user(Role.ADMIN)
    world.do(
        municipalities.set_capacity,
        actor=admin,
        municipality_id=world.municipality(name),
        capacity=capacity,
        state=state,
        now=moment(DAY),
    )


def osby_places(world) -> MunicipalityPlaces:
    return world.read(lambda s: reports.places_of(s, world.municipality("Osby")))


def test_accepting_over_capacity_is_confirmed_and_recorded(world):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    set_capacity(world, 1)
    first, second = (world.file(investigator, "Osby", DAY) for _ in range(2))
    accept(world, osby, first)
    with pytest.raises(OverCapacity) as asked:
        accept(world, osby, second)
    assert render(asked.value.text) == "Osby har 0 lediga platser. Acceptera ändå?"
    assert osby_places(world).free == 0  # refused: nothing changed
    accept(world, osby, second, confirmed=True)
    flagged = world.read(
        lambda s: {p.referral_id: p.over_capacity for p in s.scalars(select(Placement))}
    )
    assert flagged == {first.id: False, second.id: True}
    assert osby_places(world).over_capacity == 1
    event = world.read(
        lambda s: s.scalars(
            select(Event).where(Event.kind == EventKind.ACCEPTED, Event.referral_id == second.id)
        ).one()
    )
    assert event.details["over_capacity"] is True


def test_a_municipality_closed_to_intake_is_not_asked_and_a_waiting_list_is(world):
    investigator = world.user(Role.INVESTIGATOR)
    set_capacity(world, 5, IntakeState.CLOSED)
    with pytest.raises(RuleViolation) as refused:
        world.file(investigator, "Osby", DAY)
    assert refused.value.field == "municipality"
    assert render(refused.value.text) == (
        "Osby har stängt för intag just nu. Välj en annan kommun."
    )
    set_capacity(world, 5, IntakeState.WAITING_LIST)
    assert world.file(investigator, "Osby", DAY).reference_code
    assert osby_places(world).state is IntakeState.WAITING_LIST


def test_fifty_accepts_at_once_against_one_free_place(world):
    """Half of them confirm when asked: one is within the capacity, every other one is
    either refused or recorded as over capacity; the count never goes silently negative."""
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    set_capacity(world, 1)
    filed = [world.file(investigator, "Osby", DAY) for _ in range(50)]
    request_ids = [world.open_request_id(r.id) for r in filed]
    start = threading.Barrier(50)
    outcomes: list[str] = []

    def answer(number: int) -> None:
        start.wait()
        for confirmed in (False, True):
            try:
                world.do(
                    referrals.accept_request,
                    actor=osby,
                    request_id=request_ids[number],
                    meeting_on=MEETING,
                    now=moment(DAY),
                    over_capacity_confirmed=confirmed,
                )
                outcomes.append("over capacity" if confirmed else "within capacity")
                return
            except OverCapacity:
                if number % 2:  # the odd ones take no for an answer
                    outcomes.append("refused")
                    return

    threads = [threading.Thread(target=answer, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("within capacity") == 1
    assert outcomes.count("over capacity") + outcomes.count("refused") == 49
    flagged = world.read(lambda s: [p.over_capacity for p in s.scalars(select(Placement))])
    assert flagged.count(False) == 1
    assert flagged.count(True) == outcomes.count("over capacity") >= 24
    now = osby_places(world)
    assert now.free_now == 0 and now.over_capacity == outcomes.count("over capacity")


def test_capacity_changes_at_once_keep_a_right_history(world):
    """Each change's "previous" is what the change before it set; the last is what is
    stored (PostgreSQL used to lose this under concurrency)."""
    admin = world.user(Role.ADMIN)
    osby = world.municipality("Osby")
    start = threading.Barrier(20)

    def change(capacity: int) -> None:
        start.wait()
        world.do(
            municipalities.set_capacity,
            actor=admin,
            municipality_id=osby,
            capacity=capacity,
            now=moment(DAY),
        )

    threads = [threading.Thread(target=change, args=(n,)) for n in range(10, 30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    chain = world.read(
        lambda s: [
            (e.details["previous"], e.details["capacity"])
            for e in s.scalars(
                select(Event)
                .where(Event.kind == EventKind.CAPACITY_SET, Event.municipality_id == osby)
                .order_by(Event.id)
            )
        ]
    )
    assert len(chain) == 20
    assert chain[0][0] == 5  # Osby's capacity in the program file
    assert all(chain[i][0] == chain[i - 1][1] for i in range(1, 20))
    stored = world.read(lambda s: s.get(Municipality, osby).capacity)
    assert chain[-1][1] == stored
