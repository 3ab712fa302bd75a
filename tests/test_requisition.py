"""Requisition: each municipality's basis per period, the flow from draft to paid, corrections
of submitted periods on the next basis, and the accruals. Each test reads like its rule."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from domain.calendar import CompensableDays
from domain.choices import Outcome, Role
from domain.errors import NotAllowed, NotFound, RuleViolation
from domain.events import EventKind
from domain.money import Money
from domain.requisition import (
    Period,
    State,
    parse_period,
    period_containing,
    program_periods,
)
from locales import render
from services import placements, program_setup, reports, requisition_lists
from services import requisitions as requisition
from storage.models import Event, Municipality, Requisition
from tests.support.bulk import insert_placements
from tests.support.clock import moment

MARCH_APRIL = Period(date(2026, 3, 1), date(2026, 4, 30))
MAY_JUNE = Period(date(2026, 5, 1), date(2026, 6, 30))


def swedish(error: Exception) -> str:
    return render(error.text)


# ---- periods ------------------------------------------------------------------------


def test_periods_are_two_months_by_default_and_never_cross_a_year(program):
    periods = program_periods(program)
    assert periods[0] == Period(date(2026, 1, 1), date(2026, 2, 28))
    assert periods[-1] == Period(date(2028, 11, 1), date(2028, 12, 31))
    assert len(periods) == 18
    assert all(p.first.year == p.last.year for p in periods)
    monthly = replace(program, requisition_months=1)
    assert len(program_periods(monthly)) == 36
    assert period_containing(date(2027, 2, 14), 1) == Period(date(2027, 2, 1), date(2027, 2, 28))


@pytest.mark.parametrize(
    ("written", "period"),
    [
        ("2026-03", MARCH_APRIL),
        ("2026-04", MARCH_APRIL),
        ("2026-03/2026-04", MARCH_APRIL),
        ("2026-09", Period(date(2026, 9, 1), date(2026, 10, 31))),
    ],
)
def test_a_period_is_written_as_a_month_or_as_its_first_and_last_month(program, written, period):
    assert parse_period(written, program) == period


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("mars", "mars är ingen period. Skriv den som 2026-03 eller 2026-03/2026-04."),
        ("2026-13", "2026-13 är ingen period. Skriv den som 2026-03 eller 2026-03/2026-04."),
        (
            "2026-04/2026-05",
            "2026-04/2026-05 är inte en av programmets perioder; perioden som innehåller dess "
            "första månad är 1 mars 2026 – 30 apr. 2026.",
        ),
        (
            "2029-01",
            "Programmet löper från 1 jan. 2026 till 31 dec. 2028; 2029-01 ligger utanför det.",
        ),
    ],
)
def test_a_wrong_period_gets_a_swedish_sentence(program, written, message):
    with pytest.raises(RuleViolation) as refused:
        parse_period(written, program)
    assert swedish(refused.value) == message


# ---- the basis --------------------------------------------------------------------------


@pytest.fixture
def people(world):
    return {
        "investigator": world.user(Role.INVESTIGATOR),
        "osby": world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "bromolla": world.user(Role.MUNICIPALITY_CONTACT, "Bromölla"),
        "coordinator": world.user(Role.COORDINATOR),
        "association": world.user(Role.ASSOCIATION),
        "admin": world.user(Role.ADMIN),
    }


def basis_of(world, actor, period, today=date(2026, 11, 23), municipality="Osby"):
    return world.read(
        lambda s: requisition.basis(
            s,
            actor=actor,
            municipality_id=world.municipality(municipality),
            period=period,
            today=today,
        )
    )


def index(world) -> CompensableDays:
    return CompensableDays.for_program(world.read(program_setup.current_program))


def test_one_line_per_placement_with_its_first_and_last_day_in_the_period(world, people):
    mid_period = world.started(people["investigator"], people["osby"], "Osby", date(2026, 3, 16))
    earlier = world.started(people["investigator"], people["osby"], "Osby", date(2026, 1, 12))
    world.do(
        placements.end_placement,
        actor=people["osby"],
        referral_id=earlier.id,
        ended_on=date(2026, 3, 20),
        outcome=Outcome.WORK,
        now=moment(date(2026, 3, 23)),
    )
    found = basis_of(world, people["osby"], MARCH_APRIL)
    lines = {line.reference_code: line for line in found.lines}
    started, ended = lines[mid_period.reference_code], lines[earlier.reference_code]
    # Started mid-period: 16 March to the end of April, without Good Friday and Easter Monday.
    assert (started.first_day, started.last_day, started.days) == (
        date(2026, 3, 16),
        date(2026, 4, 30),
        index(world).count(date(2026, 3, 16), date(2026, 4, 30)),
    )
    assert started.days == 12 + 20
    # Ended mid-period: 2 March (the first weekday) to 20 March.
    assert (ended.first_day, ended.last_day, ended.days) == (
        date(2026, 3, 2),
        date(2026, 3, 20),
        15,
    )
    assert found.total == Money.kronor(200) * (32 + 15)
    assert found.header.municipality_code == "1273" and found.state is State.DRAFT
    assert not found.preliminary


def test_a_placement_across_new_year_is_split_at_the_rate_of_each_year(world, people):
    referral = world.started(people["investigator"], people["osby"], "Osby", date(2026, 11, 2))
    december = basis_of(
        world, people["osby"], Period(date(2026, 11, 1), date(2026, 12, 31)), today=date(2027, 3, 5)
    )
    january = basis_of(
        world, people["osby"], Period(date(2027, 1, 1), date(2027, 2, 28)), today=date(2027, 3, 5)
    )
    days = index(world)
    assert [line.days for line in december.lines] == [
        days.count(date(2026, 11, 2), date(2026, 12, 31))
    ]
    assert [line.days for line in january.lines] == [
        days.count(date(2027, 1, 1), date(2027, 2, 28))
    ]
    assert (
        december.lines[0].reference_code
        == january.lines[0].reference_code
        == referral.reference_code
    )
    # Christmas Day and Boxing Day are holidays; 2027's rate is not yet confirmed.
    assert december.lines[0].last_day == date(2026, 12, 31)
    assert (december.preliminary, january.preliminary) == (False, True)


def test_a_running_period_is_preliminary_and_a_future_one_has_no_basis(world, people):
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 11, 2))
    running = basis_of(world, people["osby"], Period(date(2026, 11, 1), date(2026, 12, 31)))
    assert running.running and running.preliminary
    with pytest.raises(RuleViolation) as refused:
        basis_of(world, people["osby"], Period(date(2027, 1, 1), date(2027, 2, 28)))
    assert swedish(refused.value) == "Perioden 1 jan. 2027 – 28 feb. 2027 har inte börjat än."


def test_periods_across_easter_midsummer_and_christmas_count_holidays_as_the_budget_does(
    world, people
):
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 1, 12))
    referral = world.started(people["investigator"], people["osby"], "Osby", date(2026, 6, 1))
    world.do(
        placements.extend_placement,
        actor=people["osby"],
        referral_id=referral.id,
        new_end=date(2027, 1, 15),
        now=moment(date(2026, 11, 20)),
    )
    days = index(world)
    for period, first, last in [
        (MARCH_APRIL, date(2026, 3, 1), date(2026, 4, 30)),  # Good Friday, Easter Monday
        (MAY_JUNE, date(2026, 5, 1), date(2026, 6, 30)),  # 1 May, Ascension, National Day
        (Period(date(2026, 11, 1), date(2026, 12, 31)), date(2026, 11, 1), date(2026, 12, 31)),
    ]:
        found = basis_of(world, people["osby"], period, today=date(2027, 1, 20))
        assert found.days == sum(
            days.count(max(line.first_day, first), min(line.last_day, last)) for line in found.lines
        )
    assert basis_of(world, people["osby"], MARCH_APRIL).days == 20 + 22  # 20 + 22 weekdays
    # Midsummer's Eve is a working day; Midsummer Day is a Saturday.
    assert sum(line.days for line in basis_of(world, people["osby"], MAY_JUNE).lines) == (
        days.count(date(2026, 5, 1), date(2026, 6, 30))
        + days.count(date(2026, 6, 1), date(2026, 6, 30))
    )


@settings(
    max_examples=8,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 10**6), until=st.sampled_from([date(2026, 6, 30), date(2026, 12, 31)]))
@pytest.mark.slow
def test_all_bases_of_a_year_add_up_to_the_budgets_accrued_days(sessions, seed, until):
    """Σ every municipality's bases for 2026 up to a period's end = the budget's accrued
    figure for 2026 at that date, for random placements, on both databases."""
    from storage.db import unit_of_work

    rng = random.Random(seed)
    with unit_of_work(sessions) as session:
        for municipality_id in session.scalars(select(Municipality.id)):
            spans = []
            for _ in range(rng.randrange(1, 6)):
                start = date(2025, 12, 1) + timedelta(days=rng.randrange(0, 450))
                spans.append(
                    (start, start + timedelta(days=rng.randrange(0, 200)), rng.random() < 0.5)
                )
            insert_placements(session, municipality_id, spans)
    admin_like = None  # the operator on the command line sees every basis

    def both(session):
        program = program_setup.current_program(session)
        ids = list(session.scalars(select(Municipality.id)))
        periods = [p for p in program_periods(program) if p.year == 2026 and p.last <= until]
        days = sum(
            requisition.basis(
                session,
                actor=admin_like,
                municipality_id=m,
                period=p,
                today=until + timedelta(days=1),
            ).days
            for m in ids
            for p in periods
        )
        budget = reports.year_budget(session, year=2026, today=until)
        listed = requisition_lists.summaries(
            session, actor=admin_like, periods=periods, today=until + timedelta(days=1)
        )
        return days, budget.accrued_days, sum(s.days for s in listed)

    with unit_of_work(sessions) as session:
        days, accrued, listed = both(session)
    assert days == accrued == listed


# ---- the flow -----------------------------------------------------------------------------


def act(
    world, use_case, actor, period=MARCH_APRIL, municipality="Osby", day=date(2026, 11, 23), **kw
):
    requisition_id = kw.pop("requisition_id", "current")
    if requisition_id == "current":
        requisition_id = world.read(
            lambda s: s.scalar(
                select(Requisition.id).where(
                    Requisition.period_first == period.first,
                    Requisition.state != State.RETURNED,
                    Requisition.municipality_id == world.municipality(municipality),
                )
            )
        )
    extra = {} if use_case is requisition.submit else {"requisition_id": requisition_id}
    return world.do(
        use_case,
        actor=actor,
        municipality_id=world.municipality(municipality),
        period=period,
        now=moment(day),
        **extra,
        **kw,
    )


def test_draft_submitted_attested_paid_each_by_its_role_only_and_each_an_event(world, people):
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 3, 2))
    draft = basis_of(world, people["osby"], MARCH_APRIL)
    act(world, requisition.submit, people["osby"])
    submitted = basis_of(world, people["coordinator"], MARCH_APRIL)
    assert submitted.state is State.SUBMITTED and submitted.total == draft.total
    act(world, requisition.attest, people["coordinator"])
    assert basis_of(world, people["association"], MARCH_APRIL).state is State.ATTESTED
    act(world, requisition.mark_paid, people["association"], paid_on=date(2026, 11, 23))
    paid = basis_of(world, people["admin"], MARCH_APRIL)
    assert (paid.state, paid.paid_on, paid.total) == (State.PAID, date(2026, 11, 23), draft.total)
    requisition_kinds = [k for k in EventKind if k.value.startswith("requisition")]
    kinds = world.read(
        lambda s: [
            e.kind.value
            for e in s.scalars(
                select(Event).where(Event.kind.in_(requisition_kinds)).order_by(Event.id)
            )
        ]
    )
    assert kinds == [
        "requisition_submitted",
        "requisition_attested",
        "requisition_paid",
    ]


WHO_MAY = {
    "submit": {"osby"},
    "attest": {"coordinator"},
    "return": {"coordinator"},
    "mark_paid": {"association"},
}


@pytest.mark.parametrize(
    "role", ["investigator", "osby", "bromolla", "coordinator", "association", "admin"]
)
def test_every_role_and_every_action(world, people, role):
    """Only the municipality's own contacts submit, only the coordinator attests or returns,
    only the association marks paid; the others are refused and nothing changes."""
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 3, 2))
    actor = people[role]
    steps = [
        ("submit", requisition.submit, {}),
        ("return", requisition.return_basis, {"reason": "Fel kostnadsställe."}),
        ("submit", requisition.submit, {}),
        ("attest", requisition.attest, {}),
        ("mark_paid", requisition.mark_paid, {"paid_on": date(2026, 11, 23)}),
    ]
    for action, use_case, kw in steps:
        rightful = people[next(iter(WHO_MAY[action]))]
        if role in WHO_MAY[action]:
            act(world, use_case, actor, **kw)
            continue
        before = world.read(lambda s: s.scalar(select(func.count()).select_from(Event)))
        with pytest.raises((NotAllowed, NotFound)):
            act(world, use_case, actor, **kw)
        assert world.read(lambda s: s.scalar(select(func.count()).select_from(Event))) == before
        act(world, use_case, rightful, **kw)
    assert basis_of(world, people["coordinator"], MARCH_APRIL).state is State.PAID


def test_a_contact_of_another_municipality_does_not_see_the_basis(world, people):
    with pytest.raises(NotFound):
        basis_of(world, people["bromolla"], MARCH_APRIL)
    with pytest.raises(NotFound):
        basis_of(world, people["investigator"], MARCH_APRIL)


def test_a_period_is_submitted_once(world, people):
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 3, 2))
    act(world, requisition.submit, people["osby"])
    with pytest.raises(RuleViolation) as refused:
        act(world, requisition.submit, people["osby"])
    assert swedish(refused.value) == (
        "Rekvisitionsunderlaget för 1 mars 2026 – 30 apr. 2026 är redan inskickat; en period "
        "kan skickas in en gång."
    )
    assert world.read(lambda s: s.scalar(select(func.count()).select_from(Requisition))) == 1


def test_bad_input_gets_a_swedish_sentence_and_changes_nothing(world, people):
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 3, 2))
    running = Period(date(2026, 11, 1), date(2026, 12, 31))
    with pytest.raises(RuleViolation) as refused:
        act(world, requisition.submit, people["osby"], period=running)
    assert swedish(refused.value) == (
        "Perioden 1 nov. 2026 – 31 dec. 2026 är inte slut; underlaget kan skickas in från "
        "1 jan. 2027."
    )
    act(world, requisition.submit, people["osby"])
    with pytest.raises(RuleViolation) as refused:
        act(world, requisition.attest, people["coordinator"], requisition_id=999)
    assert swedish(refused.value) == (
        "Underlaget har just ändrats av någon annan. Ladda om sidan och försök igen."
    )
    act(world, requisition.attest, people["coordinator"])
    with pytest.raises(RuleViolation) as refused:
        act(world, requisition.mark_paid, people["association"], paid_on=date(2026, 11, 24))
    assert swedish(refused.value) == "Betalningsdagen kan inte ligga i framtiden."
    with pytest.raises(RuleViolation) as refused:
        act(world, requisition.return_basis, people["coordinator"], reason="Fel.")
    assert swedish(refused.value) == (
        "Bara ett inskickat underlag som väntar på attest kan returneras."
    )
    assert basis_of(world, people["osby"], MARCH_APRIL).state is State.ATTESTED


def test_an_unconfirmed_rate_makes_the_basis_preliminary_and_waits_for_attestation(world, people):
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 12, 1))
    january = Period(date(2027, 1, 1), date(2027, 2, 28))
    later = date(2027, 3, 2)
    found = basis_of(world, people["osby"], january, today=later)
    assert found.preliminary and not found.rate_confirmed
    act(world, requisition.submit, people["osby"], period=january, day=later)
    with pytest.raises(RuleViolation) as refused:
        act(world, requisition.attest, people["coordinator"], period=january, day=later)
    assert swedish(refused.value) == (
        "Dagersättningen för 2027 är inte fastställd än; underlaget kan attesteras när den är det."
    )
    world.do(
        program_setup.set_daily_rate,
        actor=people["coordinator"],
        year=2027,
        rate=Money.kronor(200),
        now=moment(later),
        reason="Förbundets beslut.",
    )
    act(world, requisition.attest, people["coordinator"], period=january, day=later)
    assert basis_of(world, people["osby"], january, today=later).state is State.ATTESTED


def test_a_rate_confirmed_at_another_amount_leaves_the_basis_attestable_at_its_own(world, people):
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 12, 1))
    january, later = Period(date(2027, 1, 1), date(2027, 2, 28)), date(2027, 3, 2)
    act(world, requisition.submit, people["osby"], period=january, day=later)
    claimed = basis_of(world, people["osby"], january, today=later)
    world.do(
        program_setup.set_daily_rate,
        actor=people["coordinator"],
        year=2027,
        rate=Money.kronor("206.40"),
        now=moment(later),
        reason="Förbundets beslut 2027-02-20.",
    )
    act(world, requisition.attest, people["coordinator"], period=january, day=later)
    attested = basis_of(world, people["osby"], january, today=later)
    assert attested.state is State.ATTESTED and attested.daily_rate == Money.kronor(200)
    assert attested.total == claimed.total
    assert attested.year_rate == Money.kronor("206.40")  # the page says so beside its own
    # The difference is on the next basis: the days as claimed, × 6,40 kr.
    march = Period(date(2027, 3, 1), date(2027, 4, 30))
    following = basis_of(world, people["osby"], march, today=date(2027, 5, 3))
    (correction,) = following.corrections
    assert correction.kind.value == "rate" and correction.days == 0
    assert correction.claimed_days == claimed.days
    assert correction.amount == Money.kronor("6.40") * claimed.days


def test_a_backdated_end_after_submission_becomes_a_correction_on_the_next_basis(world, people):
    referral = world.started(people["investigator"], people["osby"], "Osby", date(2026, 3, 2))
    claimed = basis_of(world, people["osby"], MARCH_APRIL, today=date(2026, 5, 4))
    act(world, requisition.submit, people["osby"], day=date(2026, 5, 4))
    act(world, requisition.attest, people["coordinator"], day=date(2026, 5, 5))
    # The municipality records, late, that the participant ended on 10 April.
    world.do(
        placements.end_placement,
        actor=people["osby"],
        referral_id=referral.id,
        ended_on=date(2026, 4, 10),
        outcome=Outcome.DROPOUT,
        now=moment(date(2026, 5, 6)),
    )
    frozen = basis_of(world, people["osby"], MARCH_APRIL, today=date(2026, 7, 1))
    assert frozen.total == claimed.total  # a submitted basis never changes
    following = basis_of(world, people["osby"], MAY_JUNE, today=date(2026, 7, 1))
    assert following.lines == ()  # ended in April: no days in May–June
    (correction,) = following.corrections
    now_days = index(world).count(date(2026, 3, 2), date(2026, 4, 10))
    assert (correction.reference_code, correction.period) == (referral.reference_code, MARCH_APRIL)
    assert (correction.claimed_days, correction.current_days) == (claimed.days, now_days)
    assert correction.amount == Money.kronor(200) * (now_days - claimed.days)
    assert following.total == correction.amount and following.total.ore < 0
    # Once the next basis carries it, the correction is not repeated.
    act(world, requisition.submit, people["osby"], period=MAY_JUNE, day=date(2026, 7, 1))
    assert (
        basis_of(
            world,
            people["osby"],
            Period(date(2026, 7, 1), date(2026, 8, 31)),
            today=date(2026, 9, 1),
        ).corrections
        == ()
    )


# ---- accruals --------------------------------------------------------------------------


def test_accruals_list_every_ended_period_not_paid_with_its_state(world, people):
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 3, 2))
    world.started(people["investigator"], people["bromolla"], "Bromölla", date(2026, 1, 12))
    act(world, requisition.submit, people["osby"])  # March–April submitted, not attested
    act(world, requisition.submit, people["osby"], period=MAY_JUNE)
    act(world, requisition.attest, people["coordinator"], period=MAY_JUNE)  # not paid
    act(world, requisition.submit, people["bromolla"], municipality="Bromölla")
    act(world, requisition.attest, people["coordinator"], municipality="Bromölla")
    act(
        world,
        requisition.mark_paid,
        people["association"],
        municipality="Bromölla",
        paid_on=date(2026, 11, 23),
    )

    def accruals(session):
        return requisition_lists.accruals(
            session, actor=people["association"], on=date(2026, 6, 30), today=date(2026, 11, 23)
        )

    found = world.read(accruals)
    assert [(a.municipality, a.period, a.state) for a in found] == [
        ("Bromölla", Period(date(2026, 1, 1), date(2026, 2, 28)), State.DRAFT),
        ("Bromölla", MAY_JUNE, State.DRAFT),
        ("Osby", MARCH_APRIL, State.SUBMITTED),
        ("Osby", MAY_JUNE, State.ATTESTED),
    ]
    days = index(world)
    assert found[1].amount == Money.kronor(200) * days.count(date(2026, 5, 1), date(2026, 6, 30))
    with pytest.raises(NotAllowed):
        world.read(
            lambda s: requisition_lists.accruals(
                s, actor=people["osby"], on=date(2026, 6, 30), today=date(2026, 11, 23)
            )
        )
