"""Follow-up: the budget in the association's format, the goal indicators per period and
municipality, the Finsam figures by gender that survive a purge, and the steering group's
report. Each test reads like its rule."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from domain.calendar import CompensableDays
from domain.choices import Gender as LegalGender
from domain.choices import Outcome, Role
from domain.errors import NotAllowed, RuleViolation
from domain.finsam import Gender, finsam_gender
from domain.follow_up import pro_rata, year_share
from domain.indicators import Goal
from domain.money import Money
from locales import render
from services import (
    budget_follow_up,
    finsam_follow_up,
    indicator_report,
    placements,
    program_setup,
    referrals,
    reports,
    steering_report,
)
from storage.db import unit_of_work
from storage.models import Municipality, Participant
from tests.support.bulk import insert_placements
from tests.support.clock import moment
from tests.support.world import VALID_NUMBERS

TODAY = date(2026, 11, 23)


def follow(world, year=2026, to=date(2026, 6, 30), today=TODAY, actor=None):
    return world.read(
        lambda s: budget_follow_up.budget_follow_up(s, actor=actor, year=year, to=to, today=today)
    )


def test_the_period_budget_is_the_years_pro_rata_by_months():
    budget = Money.kronor(1_345_000)
    assert pro_rata(budget, date(2026, 6, 30)) == Money.kronor(672_500)  # half, as in the minutes
    assert pro_rata(budget, date(2026, 4, 30)) == Money.kronor(448_333)  # 4/12, to the krona
    assert pro_rata(budget, date(2026, 12, 31)) == budget
    assert year_share(date(2026, 2, 14)) == Decimal(1 + Decimal(14) / 28) / 12


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 10**6), month=st.integers(1, 12))
def test_utfall_to_a_cut_off_is_the_budgets_accrued_figure_and_prognos_is_at_least_it(
    sessions, seed, month
):
    """Per municipality and in total, on both databases, for random placements."""
    rng = random.Random(seed)
    with unit_of_work(sessions) as session:
        for municipality_id in session.scalars(select(Municipality.id)):
            spans = []
            for _ in range(rng.randrange(0, 5)):
                start = date(2025, 12, 1) + timedelta(days=rng.randrange(0, 500))
                spans.append(
                    (start, start + timedelta(days=rng.randrange(0, 200)), rng.random() < 0.5)
                )
            insert_placements(session, municipality_id, spans)
    to = date(2026, month, 28)
    with unit_of_work(sessions) as session:
        found = budget_follow_up.budget_follow_up(
            session, actor=None, year=2026, to=to, today=TODAY
        )
        budget = reports.year_budget(session, year=2026, today=to)
        from storage import queries

        scan = queries.compensable_days_by_municipality(session, date(2026, 1, 1), to)
        names = {m.id: m.name for m in session.scalars(select(Municipality))}
    assert found.placements.accrued == budget.accrued
    for line in found.municipalities:
        municipality_id = next(i for i, n in names.items() if n == line.label)
        assert line.accrued == Money.kronor(200) * scan.get(municipality_id, 0)
        assert line.forecast >= line.accrued
    assert found.placements.forecast >= found.placements.accrued
    assert found.placements.forecast == Money.kronor(200) * budget.committed_days


@pytest.fixture
def people(world):
    return {
        "investigator": world.user(Role.INVESTIGATOR),
        "osby": world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "coordinator": world.user(Role.COORDINATOR),
        "association": world.user(Role.ASSOCIATION),
    }


def test_accepted_placements_and_the_intake_forecast_raise_the_prognos(world, people, program):
    referral = world.file(people["investigator"], "Osby", date(2026, 11, 16))
    world.do(
        referrals.accept_request,
        actor=people["osby"],
        request_id=world.open_request_id(referral.id),
        meeting_on=date(2026, 12, 1),
        now=moment(date(2026, 11, 18)),
    )
    days = CompensableDays.for_program(program)
    december = days.count(date(2026, 12, 1), date(2026, 12, 31))
    found = follow(world, to=date(2026, 10, 31))
    assert found.placements.accrued == Money(0)
    assert found.placements.forecast == Money.kronor(200) * december
    osby = next(line for line in found.municipalities if line.label == "Osby")
    assert osby.forecast == Money.kronor(200) * december
    with_intake = replace(program, intake_forecast_per_month=2)
    world.do(program_setup.install_program, program=with_intake, now=moment(TODAY))
    # Two new starts on 1 December (the only month after today), to the year's end.
    assert follow(world, to=date(2026, 10, 31)).placements.forecast == Money.kronor(200) * (
        december * 3
    )


def test_other_cost_lines_take_the_utfall_the_coordinator_entered(world, people):
    coordinator = people["coordinator"]
    enter = budget_follow_up.enter_cost_outcome
    world.do(
        enter,
        actor=coordinator,
        year=2026,
        label="Övrig administration",
        through=date(2026, 4, 30),
        amount=Money.kronor(12_000),
        now=moment(TODAY),
    )
    world.do(
        enter,
        actor=coordinator,
        year=2026,
        label="Övrig administration",
        through=date(2026, 6, 30),
        amount=Money.kronor(31_000),
        now=moment(TODAY),
    )
    june = follow(world, to=date(2026, 6, 30))
    administration = next(line for line in june.other_costs if line.label == "Övrig administration")
    assert (administration.budget, administration.period_budget) == (
        Money.kronor(50_000),
        Money.kronor(25_000),
    )
    assert administration.accrued == Money.kronor(31_000)
    assert administration.deviation == Money.kronor(6_000)
    assert administration.deviation_share == Decimal("0.24")
    assert administration.forecast == Money.kronor(50_000)
    assert next(
        line
        for line in follow(world, to=date(2026, 5, 31)).other_costs
        if line.label == "Övrig administration"
    ).accrued == Money.kronor(12_000)
    coordinator_line = next(
        line for line in june.other_costs if line.label.startswith("Samordnare")
    )
    assert not coordinator_line.entered and coordinator_line.accrued == Money(0)
    with pytest.raises(NotAllowed):
        world.do(
            enter,
            actor=people["association"],
            year=2026,
            label="Övrig administration",
            through=date(2026, 6, 30),
            amount=Money.kronor(1),
            now=moment(TODAY),
        )
    for label, through, amount, message in [
        ("Hyra", date(2026, 6, 30), Money.kronor(1), "Välj en av kostnadsposterna i listan."),
        (
            "Övrig administration",
            date(2026, 12, 31),
            Money.kronor(1),
            "Datumet kan inte ligga i framtiden.",
        ),
        (
            "Övrig administration",
            date(2027, 1, 31),
            Money.kronor(1),
            "Brytdatumet måste ligga i 2026, året som följs upp.",
        ),
        (
            "Övrig administration",
            date(2026, 6, 30),
            None,
            "Ange utfallet i kronor, noll eller mer.",
        ),
    ]:
        with pytest.raises(RuleViolation) as refused:
            world.do(
                enter,
                actor=coordinator,
                year=2026,
                label=label,
                through=through,
                amount=amount,
                now=moment(TODAY),
            )
        assert render(refused.value.text) == message


def test_a_year_with_an_unconfirmed_rate_is_preliminary(world):
    assert not follow(world).preliminary
    assert follow(world, year=2027, to=date(2027, 4, 30), today=date(2027, 5, 3)).preliminary


def test_only_those_who_see_the_budget_follow_it_up(world, people):
    with pytest.raises(NotAllowed):
        follow(world, actor=people["osby"])
    assert follow(world, actor=people["association"]).year == 2026


# ---- indicators ---------------------------------------------------------------------------


def test_indicators_count_a_placement_where_it_started_or_ended_and_only_once_due(world, people):
    investigator, osby = people["investigator"], people["osby"]
    early = world.started(investigator, osby, "Osby", date(2026, 4, 6))
    world.do(
        placements.record_assessment_plan,
        actor=osby,
        referral_id=early.id,
        done_on=date(2026, 4, 20),
        now=moment(date(2026, 4, 21)),
    )
    world.do(
        placements.end_placement,
        actor=osby,
        referral_id=early.id,
        ended_on=date(2026, 8, 14),
        outcome=Outcome.WORK,
        now=moment(date(2026, 8, 14)),
    )
    fresh = world.started(investigator, osby, "Osby", date(2026, 11, 9))  # two weeks ago
    assert fresh

    def quarter(first, last):
        rows = world.read(
            lambda s: indicator_report.indicators_report(
                s, actor=people["coordinator"], first=first, last=last, today=TODAY
            )
        )
        return {row.label or "total": row for row in rows}

    second = quarter(date(2026, 4, 1), date(2026, 6, 30))["Osby"]
    plan = next(i for i in second.indicators if i.goal is Goal.ASSESSMENT_PLAN)
    outcome = next(i for i in second.indicators if i.goal is Goal.GOAL_OUTCOME)
    assert (plan.achieved, plan.counted) == (1, 1)  # started in the second quarter
    assert outcome.counted == 0  # it ended in the third
    third = quarter(date(2026, 7, 1), date(2026, 9, 30))["Osby"]
    assert next(i for i in third.indicators if i.goal is Goal.GOAL_OUTCOME).counted == 1
    assert third.outcomes == {Outcome.WORK: 1} and third.ended == 1
    fourth = quarter(date(2026, 10, 1), date(2026, 12, 31))
    plan = next(i for i in fourth["Osby"].indicators if i.goal is Goal.ASSESSMENT_PLAN)
    assert plan.counted == 0  # started two weeks ago: its four weeks are not over
    assert fourth["Osby"].new == 1 and fourth["total"].new == 1
    # Referral to answer: filed 7 days before the start, accepted 5 days before it.
    assert second.mean_days_to_answer == Decimal("2.0") and second.answers == 1
    assert second.mean_days_to_meeting == Decimal("5.0")


def test_a_contact_follows_up_only_their_own_municipality(world, people):
    rows = world.read(
        lambda s: indicator_report.indicators_report(
            s, actor=people["osby"], first=date(2026, 1, 1), last=date(2026, 12, 31), today=TODAY
        )
    )
    assert [row.label for row in rows] == ["Osby"]
    with pytest.raises(NotAllowed):
        world.read(
            lambda s: indicator_report.indicators_report(
                s,
                actor=people["osby"],
                first=date(2026, 1, 1),
                last=date(2026, 12, 31),
                today=TODAY,
                municipality_id=world.municipality("Bromölla"),
            )
        )


# ---- Finsam --------------------------------------------------------------------------------


def test_finsam_counts_the_kept_legal_gender():
    assert [finsam_gender(g) for g in (LegalGender.FEMALE, LegalGender.MALE, "male", None)] == [
        Gender.WOMEN,
        Gender.MEN,
        Gender.MEN,
        Gender.UNKNOWN,
    ]


def test_finsam_counts_by_gender_and_what_was_reported_survives_a_purge(world, people):
    investigator, osby = people["investigator"], people["osby"]
    numbers = VALID_NUMBERS  # 19810923-9809 (0: woman), 19900118-9811 (1: man), …
    made = []
    for number in numbers:
        referral = world.file(
            investigator,
            "Osby",
            date(2026, 3, 2) - timedelta(days=7),
            participant=replace_number(number),
        )
        world.do(
            referrals.accept_request,
            actor=osby,
            request_id=world.open_request_id(referral.id),
            meeting_on=date(2026, 3, 2),
            now=moment(date(2026, 2, 25)),
        )
        world.do(
            placements.record_meeting_held,
            actor=osby,
            referral_id=referral.id,
            held_on=date(2026, 3, 2),
            now=moment(date(2026, 3, 2), 15),
        )
        made.append(referral)
    world.do(
        placements.end_placement,
        actor=osby,
        referral_id=made[1].id,
        ended_on=date(2026, 5, 29),
        outcome=Outcome.STUDIES,
        now=moment(date(2026, 6, 1)),
    )
    first_half = world.read(
        lambda s: finsam_follow_up.finsam(s, actor=None, year=2026, half=1, today=TODAY)
    )
    women = sum(1 for n in numbers if int(n[-2]) % 2 == 0)
    assert (first_half.active.women, first_half.active.men) == (women, len(numbers) - women)
    assert (first_half.new.total, first_half.ended.men, first_half.ended.women) == (4, 1, 0)
    assert first_half.budgeted_participants == 35 and first_half.reported_at is None
    world.do(
        finsam_follow_up.report_finsam,
        actor=people["coordinator"],
        year=2026,
        half=1,
        now=moment(TODAY),
    )
    # Gallring: the participants' personal data is removed; the referrals stay.
    world.do(lambda s: s.execute(delete(Participant)))
    stored = world.read(
        lambda s: finsam_follow_up.finsam(s, actor=None, year=2026, half=1, today=TODAY)
    )
    assert (stored.active, stored.new, stored.ended) == (
        first_half.active,
        first_half.new,
        first_half.ended,
    )
    assert stored.reported_at is not None
    computed_again = world.read(
        lambda s: finsam_follow_up.finsam(s, actor=None, year=2026, half=None, today=TODAY)
    )
    # Computed anew after the purge, from the gender the referral keeps: the same counts.
    assert (computed_again.active.women, computed_again.active.men) == (women, 4 - women)
    assert computed_again.active.unknown == 0
    with pytest.raises(RuleViolation) as refused:
        world.do(
            finsam_follow_up.report_finsam,
            actor=people["coordinator"],
            year=2026,
            half=1,
            now=moment(TODAY),
        )
    assert render(refused.value.text).startswith(
        "Finsamsiffrorna för den här perioden rapporterades redan den "
    )
    with pytest.raises(RuleViolation) as refused:
        world.do(
            finsam_follow_up.report_finsam,
            actor=people["coordinator"],
            year=2026,
            half=2,
            now=moment(TODAY),
        )
    assert render(refused.value.text) == (
        "Perioden är inte slut; dess siffror kan rapporteras från 1 jan. 2027."
    )


def replace_number(number: str):
    from domain.participants import ParticipantDetails

    return ParticipantDetails(
        name="Test Person", personal_identity_number=number, phone="", needs=""
    )


def test_the_steering_report_holds_every_part_of_the_quarter(world, people):
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 8, 3))
    report = world.read(
        lambda s: steering_report.steering_report(
            s,
            actor=people["coordinator"],
            first=date(2026, 7, 1),
            last=date(2026, 9, 30),
            today=TODAY,
        )
    )
    assert report.total.new == 1 and report.follow_up.to == date(2026, 9, 30)
    assert report.places.started == 1
    # Ended by 30 September and not claimed: July–August (it started on 3 August).
    assert [(a.municipality, a.period.key) for a in report.accruals] == [("Osby", "2026-07")]
