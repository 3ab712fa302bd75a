"""The budget forecast's intake scenarios on hand-made cases: calendar days, 200 kr a day,
six months' enrolment, so every figure can be checked on paper."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta

from domain.budget_forecast import (
    IntakeScenario,
    cut_off_for,
    intake_starts,
    pace,
    pace_window,
    scenario_forecast,
)
from domain.choices import Role
from domain.money import Money
from services import budget_follow_up
from services.program_setup import install_program
from tests.support.clock import moment

RATE = Money.kronor(200)
TODAY = date(2026, 11, 20)
COMMITTED = [(date(2027, 4, 30), Money.kronor(100)), (date(2027, 5, 31), Money.kronor(200))]


def calendar_days(first: date, last: date) -> int:
    return max((last - first).days + 1, 0)


def six_months(start: date) -> date:
    return start + relativedelta(months=6) - timedelta(days=1)


def forecast(per_month: str, intake_stop: date | None = None):
    return scenario_forecast(
        IntakeScenario.TYPED,
        Decimal(per_month),
        committed=COMMITTED,
        rate=RATE,
        first=date(2027, 1, 1),
        after=date(2027, 3, 31),
        intake_stop=intake_stop,
        enrolment_end=six_months,
        count_days=calendar_days,
    )


def test_the_pace_is_a_third_of_the_last_three_months_starts():
    assert pace_window(date(2027, 3, 31)) == (date(2027, 1, 1), date(2027, 3, 31))
    assert (pace(6), pace(7), pace(0)) == (Decimal("2.0"), Decimal("2.3"), Decimal("0.0"))


def test_new_starts_come_on_the_first_of_each_month_after_the_known_ones():
    starts = intake_starts(date(2027, 3, 31), date(2027, 12, 31), None)
    assert starts[0] == date(2027, 4, 1) and starts[-1] == date(2027, 12, 1)
    assert len(starts) == 9


def test_an_intake_stop_ends_the_intake():
    starts = intake_starts(date(2027, 3, 31), date(2027, 12, 31), date(2027, 10, 1))
    assert starts[-1] == date(2027, 9, 1) and len(starts) == 6
    stopped = forecast("1", intake_stop=date(2027, 5, 1))
    # Only the April start: 1 April – 31 May is 61 days.
    assert [m.forecast for m in stopped.months] == [
        Money.kronor(100 + 30 * 200),
        Money.kronor(200 + 61 * 200),
    ]


def test_each_month_end_adds_the_days_of_the_expected_starts_to_what_is_committed():
    one = forecast("1")
    # April: the 1 April start's 30 days. May: 61 days of April's, 31 of May's.
    assert [m.forecast for m in one.months] == [
        Money.kronor(100 + 30 * 200),
        Money.kronor(200 + 92 * 200),
    ]
    assert one.year_end == Money.kronor(200 + 92 * 200)
    half = forecast("0.5")
    assert half.year_end == Money.kronor(200 + 46 * 200)
    assert forecast("0").year_end == Money.kronor(200)


def test_a_start_before_the_year_counts_only_its_days_in_the_year():
    found = scenario_forecast(
        IntakeScenario.PACE,
        Decimal(1),
        committed=[(date(2027, 1, 31), Money(0))],
        rate=RATE,
        first=date(2027, 1, 1),
        after=date(2026, 11, 23),  # asked in November: starts on 1 December and 1 January
        intake_stop=None,
        enrolment_end=six_months,
        count_days=calendar_days,
    )
    assert found.year_end == Money.kronor(2 * 31 * 200)


def test_a_forecast_without_a_cut_off_reads_to_today_or_the_whole_year():
    today = date(2026, 11, 23)
    assert cut_off_for(2026, today) == today
    assert cut_off_for(2025, today) == date(2025, 12, 31)
    assert cut_off_for(2027, today) == date(2027, 1, 1)


def test_the_follow_up_sets_the_scenarios_side_by_side_from_the_real_starts(world):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    for started in (date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 2)):
        world.started(investigator, osby, "Osby", started)
    world.started(investigator, osby, "Osby", date(2026, 8, 3))  # before the quarter

    def follow(typed: Decimal | None):
        return world.read(
            lambda s: budget_follow_up.budget_follow_up(
                s,
                actor=None,
                year=2027,
                to=date(2027, 1, 1),
                today=TODAY,
                typed_intake=typed,
            )
        )

    found = follow(Decimal(2))
    pace_, program, typed = found.scenarios
    assert [s.scenario for s in found.scenarios] == list(IntakeScenario)
    assert pace_.starts_per_month == Decimal("1.0")  # 3 starts from 21 Aug to 20 Nov
    assert program.starts_per_month == 0
    assert program.year_end == found.placements.forecast  # no intake: what is committed
    assert pace_.year_end > program.year_end
    # Twice the starts cost twice as much beyond what is committed.
    assert typed.year_end - program.year_end == 2 * (pace_.year_end - program.year_end)
    assert len(follow(None).scenarios) == 2


def test_the_program_files_intake_stops_at_the_intake_stop_in_the_follow_up_too(world, program):
    """2028 has an intake stop on 1 October: the program file's starts end in September, in
    the follow-up's forecast as in its scenario."""
    with_intake = replace(program, intake_forecast_per_month=2)
    assert with_intake.intake_stop == date(2028, 10, 1)
    world.do(lambda s: install_program(s, with_intake, now=moment(TODAY)))
    found = world.read(
        lambda s: budget_follow_up.budget_follow_up(
            s, actor=None, year=2028, to=date(2028, 1, 31), today=TODAY
        )
    )
    program_scenario = found.scenarios[1]
    assert program_scenario.starts_per_month == 2
    assert program_scenario.year_end == found.placements.forecast
    # (Before, the follow-up's own forecast also counted starts in October–December.)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_chat_answers_pace_equals_the_follow_ups_on_random_data(sessions, seed):
    """`/mm budget` reads the year budget and its pace line alone (budget_at_pace): the same
    figures as the year's budget and the pace scenario of the whole follow-up to the
    year's cut-off, for every year of the program and days before, in and after it."""
    from domain.access import Actor
    from domain.errors import RuleViolation
    from services import reports
    from storage.db import unit_of_work
    from tests.support.bulk import NationalSize, build_national

    with unit_of_work(sessions) as session:
        build_national(
            session, NationalSize(municipalities=6, placements=400, open_requests=40,
                                  today=TODAY, seed=seed),
        )  # fmt: skip
    actor = Actor(1, Role.COORDINATOR)
    days = [date(2025, 12, 31), date(2026, 2, 27), TODAY, date(2027, 7, 1), date(2028, 12, 31)]
    compared, paced = 0, 0
    for today in days:
        for year in (2026, 2027, 2028):
            with unit_of_work(sessions, read_only=True) as session:
                try:
                    found, at_pace = budget_follow_up.budget_at_pace(
                        session, actor=actor, year=year, today=today
                    )
                except RuleViolation as error:
                    with pytest.raises(RuleViolation) as old:
                        reports.budget_for(session, actor=actor, year=year, today=today)
                        budget_follow_up.budget_follow_up(
                            session, actor=actor, year=year, to=cut_off_for(year, today),
                            today=today,
                        )  # fmt: skip
                    assert old.value.args == error.args
                    continue
                whole = budget_follow_up.budget_follow_up(
                    session, actor=actor, year=year, to=cut_off_for(year, today), today=today
                )
                assert found == reports.budget_for(session, actor=actor, year=year, today=today)
            assert at_pace.scenario is IntakeScenario.PACE
            assert at_pace.starts_per_month == whole.scenarios[0].starts_per_month
            assert at_pace.year_end == whole.scenarios[0].year_end
            compared += 1
            paced += at_pace.starts_per_month > 0
    assert compared >= 10 and paced >= 3
