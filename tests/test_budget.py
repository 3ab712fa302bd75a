"""Budget per year: committed, accrued, remaining and full-year places, summed in the
database from the compensable-day index, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from domain.calendar import CompensableDays
from domain.choices import Outcome, Role
from domain.errors import NotAllowed
from domain.money import Money
from locales import format_money
from services import placements, program_setup, reports
from storage import queries
from storage.models import Municipality
from tests.support.bulk import insert_placements
from tests.support.clock import moment

TODAY = date(2026, 11, 23)


def budget(world, year: int, today: date = TODAY):
    return world.read(lambda s: reports.year_budget(s, year=year, today=today))


def test_with_no_placements_2027_buys_about_35_full_year_places(world):
    b = budget(world, 2027)
    assert b.compensable_days_in_year == 256
    assert format_money(b.full_year_place_cost) == "51\xa0200\xa0kr"
    # 1 790 000 kr ÷ (200 kr × 256 weekdays): the process description's "omkring 35".
    assert b.full_year_places == Decimal("35.0")
    assert b.full_year_places_left == Decimal("35.0")
    assert (b.committed, b.accrued, b.remaining) == (Money(0), Money(0), b.budget)
    assert not b.rate_confirmed


def test_a_placement_commits_its_planned_days_and_accrues_up_to_today(world):
    investigator, osby = (
        world.user(Role.INVESTIGATOR),
        world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
    )
    world.started(investigator, osby, "Osby", date(2026, 11, 2))  # planned end 1 May 2027
    b2026, b2027 = budget(world, 2026), budget(world, 2027)
    days = CompensableDays.for_program(world.read(program_setup.current_program))
    in_2026 = days.count(date(2026, 11, 2), date(2026, 12, 31))
    in_2027 = days.count(date(2027, 1, 1), date(2027, 5, 1))
    assert (b2026.committed_days, b2027.committed_days) == (in_2026, in_2027)
    assert b2026.committed == Money.kronor(200) * in_2026
    # 2–23 November 2026: 16 weekdays.
    assert b2026.accrued_days == 16 and b2026.accrued == Money.kronor(3200)
    assert b2027.accrued_days == 0
    assert b2026.remaining == Money.kronor(1_345_000) - b2026.committed


def test_an_early_end_releases_the_rest_of_the_year(world):
    investigator, osby = (
        world.user(Role.INVESTIGATOR),
        world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
    )
    referral = world.started(investigator, osby, "Osby", date(2026, 3, 2))
    before = budget(world, 2026).committed_days
    world.do(
        placements.end_placement,
        actor=osby,
        referral_id=referral.id,
        ended_on=date(2026, 3, 13),
        outcome=Outcome.WORK,
        now=moment(date(2026, 3, 16)),
    )
    assert before > 10
    assert budget(world, 2026).committed_days == 10  # 2–13 March


def test_a_confirmed_index_adjusted_rate_is_used_for_its_year(world):
    investigator, osby = (
        world.user(Role.INVESTIGATOR),
        world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
    )
    world.started(investigator, osby, "Osby", date(2026, 11, 2))
    coordinator = world.user(Role.COORDINATOR)
    world.do(
        program_setup.set_daily_rate,
        actor=coordinator,
        year=2027,
        rate=Money.kronor("206.40"),
        now=moment(TODAY),
        reason="Förbundets beslut.",
    )
    b = budget(world, 2027)
    assert b.rate_confirmed and b.daily_rate == Money.kronor("206.40")
    assert b.committed == Money.kronor("206.40") * b.committed_days
    assert budget(world, 2026).daily_rate == Money.kronor(200)


def test_only_the_coordinator_sets_rates_and_sees_the_budget(world):
    investigator = world.user(Role.INVESTIGATOR)
    with pytest.raises(NotAllowed):
        world.do(
            program_setup.set_daily_rate,
            actor=investigator,
            year=2027,
            rate=Money.kronor(210),
            now=moment(TODAY),
        )
    with pytest.raises(NotAllowed):
        world.read(lambda s: reports.budget_for(s, actor=investigator, year=2027, today=TODAY))
    association = world.user(Role.ASSOCIATION)
    assert world.read(
        lambda s: reports.budget_for(s, actor=association, year=2027, today=TODAY)
    ).budget == Money.kronor(1_790_000)


def test_database_totals_equal_the_rule_applied_placement_by_placement(world, program):
    """The SQL sum over the index must agree with domain.calendar for any set of dates."""
    rng = random.Random(7)
    municipality_id = world.read(lambda s: s.scalars(select(Municipality.id)).first())
    spans, expected = [], {2026: 0, 2027: 0, 2028: 0}
    days = CompensableDays.for_program(program)
    for _ in range(300):
        start = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 1000))
        end = start + timedelta(days=rng.randrange(0, 400))
        spans.append((start, end, rng.random() < 0.4))
        for year in expected:
            expected[year] += days.count(max(start, date(year, 1, 1)), min(end, date(year, 12, 31)))
    world.do(insert_placements, municipality_id=municipality_id, spans=spans)
    for year, total in expected.items():
        assert budget(world, year).committed_days == total


def test_the_yearly_total_is_one_query_however_many_placements(world):
    statements: list[str] = []
    engine = world.sessions.kw["bind"]

    def count(*args) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        world.read(lambda s: queries.compensable_days(s, date(2027, 1, 1), date(2027, 12, 31)))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "sum(" in selects[0].lower()


def test_a_years_budget_window_is_the_year_within_the_program(program):
    from dataclasses import replace

    from domain.budget import budget_window
    from domain.figures import Tally

    shorter = replace(program, start=date(2026, 3, 2), end=date(2027, 9, 30))
    window = budget_window(shorter, 2026)
    assert (window.first, window.last) == (date(2026, 3, 2), date(2026, 12, 31))
    assert budget_window(shorter, 2027).last == date(2027, 9, 30)
    # The days read: before the window, its last day, and each cut-off within it.
    assert window.days(date(2027, 1, 5), date(2026, 6, 30)) == {
        date(2026, 3, 1),
        date(2026, 12, 31),
        date(2026, 6, 30),
    }
    tally = {
        date(2026, 3, 1): Tally(through_sum=10),
        date(2026, 6, 30): Tally(through_sum=40),
        date(2026, 12, 31): Tally(through_sum=100, through=250),
    }
    assert window.accrued_days(tally, date(2026, 6, 30)) == 30
    assert window.accrued_days(tally, date(2026, 3, 1)) == 0  # before the window
    assert window.accrued_days(tally, date(2027, 2, 1)) == window.committed_days(tally) == 90
    assert window.compensable_days(tally) == 250
