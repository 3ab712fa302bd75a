"""The next free place, estimated by hand: planned ends, an extension, an accepted placement
not yet started, a closed municipality, the intake stop — then the same on the real database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from domain.choices import Role
from domain.forecast import MonthFreeing, PlaceInUse, outlooks, place_outlook
from domain.program import Program
from locales import phrases
from services import municipalities, placements, reports
from tests.support.clock import moment

TODAY = date(2026, 11, 20)


def test_with_no_free_place_the_next_one_frees_the_day_after_the_first_planned_end():
    ahead = place_outlook(
        free=0,
        takes_requests=True,
        ends=[date(2027, 2, 10), date(2027, 1, 13), date(2027, 1, 31)],
        today=TODAY,
        intake_stop=None,
    )
    assert ahead.next_free_on == date(2027, 1, 14)
    assert not ahead.free_now
    assert ahead.months == (
        MonthFreeing(date(2026, 11, 1), 0),
        MonthFreeing(date(2026, 12, 1), 0),
        MonthFreeing(date(2027, 1, 1), 1),
        MonthFreeing(date(2027, 2, 1), 2),  # 31 Jan frees its place on 1 Feb
        MonthFreeing(date(2027, 3, 1), 0),
        MonthFreeing(date(2027, 4, 1), 0),
    )


def test_an_extension_moves_the_next_free_date():
    before = place_outlook(
        free=0, takes_requests=True, ends=[date(2027, 1, 13)], today=TODAY, intake_stop=None
    )
    extended = place_outlook(
        free=0, takes_requests=True, ends=[date(2027, 5, 13)], today=TODAY, intake_stop=None
    )
    assert (before.next_free_on, extended.next_free_on) == (date(2027, 1, 14), date(2027, 5, 14))


def test_over_capacity_waits_for_one_more_end_than_it_is_over():
    ahead = place_outlook(
        free=-1,
        takes_requests=True,
        ends=[date(2027, 1, 13), date(2027, 3, 1), date(2027, 6, 1)],
        today=TODAY,
        intake_stop=None,
    )
    assert ahead.next_free_on == date(2027, 3, 2)


def test_a_free_place_is_free_today_and_nothing_planned_means_no_date():
    free = place_outlook(free=2, takes_requests=True, ends=[], today=TODAY, intake_stop=None)
    assert (free.next_free_on, free.free_now) == (TODAY, True)
    none = place_outlook(free=0, takes_requests=True, ends=[], today=TODAY, intake_stop=None)
    assert none.next_free_on is None


def test_a_planned_end_already_past_frees_its_place_today():
    ahead = place_outlook(
        free=0, takes_requests=True, ends=[date(2026, 11, 1)], today=TODAY, intake_stop=None
    )
    assert ahead.next_free_on == TODAY


def test_a_closed_municipality_frees_places_but_takes_none():
    ahead = place_outlook(
        free=0, takes_requests=False, ends=[date(2027, 1, 13)], today=TODAY, intake_stop=None
    )
    assert ahead.next_free_on is None
    assert [m.places for m in ahead.months] == [0, 0, 1, 0, 0, 0]


def test_the_intake_stop_ends_the_intake():
    stop = date(2027, 1, 1)
    later = place_outlook(
        free=0, takes_requests=True, ends=[date(2027, 1, 13)], today=TODAY, intake_stop=stop
    )
    earlier = place_outlook(
        free=0, takes_requests=True, ends=[date(2026, 12, 13)], today=TODAY, intake_stop=stop
    )
    assert (later.next_free_on, earlier.next_free_on) == (None, date(2026, 12, 14))


def test_an_accepted_placement_is_expected_to_end_a_whole_enrolment_after_its_meeting(
    program: Program,
):
    accepted = PlaceInUse(1, meeting_on=date(2026, 12, 1), planned_end_on=None)
    running = PlaceInUse(1, meeting_on=date(2026, 6, 1), planned_end_on=date(2027, 2, 28))
    assert accepted.expected_end(program) == date(2027, 5, 31)  # six months
    found = outlooks(
        replace(program, intake_stop=None),
        today=TODAY,
        free={1: 0, 2: 3},
        takes_requests={1: True, 2: True},
        in_use=[accepted, running],
    )
    assert found[1].next_free_on == date(2027, 3, 1)
    assert found[2].next_free_on == TODAY


def test_places_that_share_a_plan_count_as_many_places(program: Program):
    # The database hands over one row per plan with its number of places (national scale:
    # thousands of places, a few hundred plans); the outlook is that of the places one by one.
    kept = replace(program, intake_stop=None)
    plans = [
        PlaceInUse(1, meeting_on=None, planned_end_on=date(2026, 12, 20), places=2),
        PlaceInUse(1, meeting_on=date(2026, 12, 1), planned_end_on=None, places=3),
    ]
    one_by_one = [replace(plan, places=1) for plan in plans for _ in range(plan.places)]
    asked = {"today": TODAY, "free": {1: -3}, "takes_requests": {1: True}}
    together = outlooks(kept, in_use=plans, **asked)[1]
    assert together == outlooks(kept, in_use=one_by_one, **asked)[1]
    # Over by three: the fourth place to free up is the first of the accepted ones.
    assert together.next_free_on == date(2027, 6, 1)
    assert sum(m.places for m in together.months) == 2


def test_the_outlook_reads_the_planned_ends_and_extensions_from_the_database(world):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    osby_id = world.municipality("Osby")
    world.do(
        municipalities.set_capacity,
        actor=osby,
        municipality_id=osby_id,
        capacity=1,
        now=moment(TODAY),
    )
    referral = world.started(investigator, osby, "Osby", date(2026, 7, 14))

    def outlook():
        found = world.read(lambda s: reports.availability(s, today=TODAY)).municipalities
        return next(m for m in found if m.municipality_id == osby_id)

    osby_places = outlook()
    assert osby_places.free_now == 0
    assert osby_places.outlook is not None
    assert osby_places.outlook.next_free_on == date(2027, 1, 14)
    assert phrases.place_line(osby_places) == (
        "Osby: 0 lediga platser (kapacitet 1, startade 1, accepterade men inte startade 0). "
        "Nästa plats väntas bli ledig 14 jan. 2027 (uppskattning)."
    )
    world.do(
        placements.extend_placement,
        actor=osby,
        referral_id=referral.id,
        new_end=date(2027, 4, 13),
        now=moment(TODAY),
    )
    assert outlook().outlook.next_free_on == date(2027, 4, 14)
