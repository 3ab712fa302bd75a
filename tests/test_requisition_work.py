"""Requisition work (issue 23): every basis waiting for someone is on that person's worklist,
in its count and in the digest, by one rule; a basis tells its story; a changed rate leaves
submitted bases attestable and corrects the difference on the next basis."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from domain.choices import Role
from domain.deadlines import Task
from domain.errors import RuleViolation
from domain.money import ZERO, Money
from domain.requisition import Period, State, StepKind, program_periods
from locales import render
from services import digest, program_setup, rate_decisions, reports, worklist
from services import requisitions as requisition
from storage.models import Municipality, Requisition, User
from tests.support.bulk import insert_placements
from tests.support.clock import moment

TODAY = date(2026, 11, 23)
SEP_OCT = Period(date(2026, 9, 1), date(2026, 10, 31))


@pytest.fixture
def people(world):
    return {
        "investigator": world.user(Role.INVESTIGATOR),
        "coordinator": world.user(Role.COORDINATOR),
        "association": world.user(Role.ASSOCIATION),
        **{
            name: world.user(Role.MUNICIPALITY_CONTACT, name)
            for name in ("Osby", "Bromölla", "Kristianstad", "Östra Göinge")
        },
    }


def act(world, use_case, actor, municipality, period, day=TODAY, **kw):
    municipality_id = world.municipality(municipality)
    if use_case is not requisition.submit:
        kw["requisition_id"] = world.read(
            lambda s: s.scalar(
                select(Requisition.id).where(
                    Requisition.period_first == period.first,
                    Requisition.state != State.RETURNED,
                    Requisition.municipality_id == municipality_id,
                )
            )
        )
    return world.do(
        use_case,
        actor=actor,
        municipality_id=municipality_id,
        period=period,
        now=moment(day),
        **kw,
    )


def items(world, actor, task):
    """(municipality, period) of every item of one kind on the actor's worklist."""
    found = world.read(
        lambda s: worklist.worklist_for(s, actor=actor, today=TODAY, task=task, page=1)
    )
    (section,) = found.sections
    assert section.total == len(section.items)  # fewer than a page
    return sorted((item.municipality, item.period) for item in section.items)


def test_every_basis_waiting_is_on_one_worklist_and_in_the_digest_for_random_data(world, people):
    """Random placements and random steps through the flow, on both databases: the items of
    each requisition kind equal the bases in the state it stands for, counted from the
    requisition table and the bases themselves; the digests list the same bases."""
    rng = random.Random(2311)
    names = ["Osby", "Bromölla", "Kristianstad", "Östra Göinge"]

    def place(session):
        for name in names:
            municipality_id = session.scalar(
                select(Municipality.id).where(Municipality.name == name)
            )
            spans = []
            for _ in range(rng.randrange(0, 4)):
                start = date(2026, 1, 5) + timedelta(days=rng.randrange(0, 250))
                spans.append((start, start + timedelta(days=rng.randrange(10, 200)), False))
            insert_placements(session, municipality_id, spans)

    world.do(lambda session: place(session))
    program = world.read(program_setup.current_program)
    ended = [p for p in program_periods(program) if p.ended_on(TODAY)]
    for name in names:
        for period in ended:
            live = world.read(
                lambda s, name=name, period=period: requisition.basis(
                    s,
                    actor=None,
                    municipality_id=world.municipality(name),
                    period=period,
                    today=TODAY,
                )
            )
            if not live.lines or rng.random() < 0.3:
                continue
            act(world, requisition.submit, people[name], name, period)
            step = rng.random()
            if step < 0.25:
                reason = "Fel antal dagar."
                act(world, requisition.return_basis, people["coordinator"], name, period,
                    reason=reason)  # fmt: skip
            elif step < 0.75:
                act(world, requisition.attest, people["coordinator"], name, period)
                if step < 0.5:
                    act(world, requisition.mark_paid, people["association"], name, period,
                        paid_on=TODAY)  # fmt: skip

    def bases_in(session):
        rows = list(session.scalars(select(Requisition)))
        names_of = {m.id: m.name for m in session.scalars(select(Municipality))}
        key = {(r.municipality_id, r.period_first): r for r in rows if r.state != State.RETURNED}
        returned = {(r.municipality_id, r.period_first) for r in rows if r.state == State.RETURNED}

        def of(pairs):
            return sorted(
                (names_of[m], next(p for p in ended if p.first == first)) for m, first in pairs
            )

        unsubmitted = []
        for m in names_of:
            for p in ended:
                if (m, p.first) in key or (m, p.first) in returned:
                    continue
                days = requisition.basis(
                    session, actor=None, municipality_id=m, period=p, today=TODAY
                ).days
                if days > 0:
                    unsubmitted.append((m, p.first))
        return {
            Task.ATTEST_REQUISITION: of(k for k, r in key.items() if r.state == State.SUBMITTED),
            Task.PAY_REQUISITION: of(k for k, r in key.items() if r.state == State.ATTESTED),
            Task.RESUBMIT_REQUISITION: of(returned - set(key)),
            Task.SUBMIT_REQUISITION: of(unsubmitted),
        }

    expected = world.read(bases_in)
    assert expected[Task.ATTEST_REQUISITION] and expected[Task.SUBMIT_REQUISITION]
    assert (
        items(world, people["coordinator"], Task.ATTEST_REQUISITION)
        == expected[Task.ATTEST_REQUISITION]
    )
    assert (
        items(world, people["association"], Task.PAY_REQUISITION) == expected[Task.PAY_REQUISITION]
    )
    for task in (Task.SUBMIT_REQUISITION, Task.RESUBMIT_REQUISITION):
        on_lists = sorted(pair for n in names for pair in items(world, people[n], task))
        assert on_lists == expected[task], task
    # The menu count holds them, and the digests list the same bases.
    coordinator_digest = world.read(
        lambda s: digest.build_digest(s, today=TODAY, since=moment(TODAY))
    )
    assert (
        sorted((r.municipality, r.period) for r in coordinator_digest.requisitions_waiting)
        == expected[Task.ATTEST_REQUISITION]
    )
    for name in names:
        own = world.read(
            lambda s, name=name: digest.build_digest(
                s, today=TODAY, since=moment(TODAY), municipality_id=world.municipality(name)
            )
        )
        assert sorted((r.municipality, r.period) for r in own.unsubmitted) == items(
            world, people[name], Task.SUBMIT_REQUISITION
        )
        assert sorted((r.municipality, r.period) for r in own.returned) == items(
            world, people[name], Task.RESUBMIT_REQUISITION
        )
    counted = world.read(lambda s: worklist.count_for(s, actor=people["association"], today=TODAY))
    assert counted == len(expected[Task.PAY_REQUISITION])


def test_a_basis_names_who_did_each_step_and_when(world, people):
    world.started(people["investigator"], people["Osby"], "Osby", date(2026, 9, 7))
    act(world, requisition.submit, people["Osby"], "Osby", SEP_OCT, day=date(2026, 11, 3))
    act(world, requisition.return_basis, people["coordinator"], "Osby", SEP_OCT,
        day=date(2026, 11, 4), reason="Fel period.")  # fmt: skip
    returned = world.read(
        lambda s: requisition.basis(
            s, actor=None, municipality_id=world.municipality("Osby"), period=SEP_OCT, today=TODAY
        )
    )
    assert returned.state is State.RETURNED and returned.return_reason == "Fel period."
    act(world, requisition.submit, people["Osby"], "Osby", SEP_OCT, day=date(2026, 11, 5))
    act(world, requisition.attest, people["coordinator"], "Osby", SEP_OCT, day=date(2026, 11, 6))
    act(world, requisition.mark_paid, people["association"], "Osby", SEP_OCT,
        paid_on=date(2026, 11, 9), day=date(2026, 11, 10))  # fmt: skip
    paid = world.read(
        lambda s: requisition.basis(
            s, actor=None, municipality_id=world.municipality("Osby"), period=SEP_OCT, today=TODAY
        )
    )
    names = {
        role: world.read(lambda s, u=people[role].user_id: s.get(User, u).name)
        for role in ("Osby", "coordinator", "association")
    }
    assert [(s.kind, s.by, s.at.date(), s.reason, s.paid_on) for s in paid.story] == [
        (StepKind.SUBMITTED, names["Osby"], date(2026, 11, 3), "", None),
        (StepKind.RETURNED, names["coordinator"], date(2026, 11, 4), "Fel period.", None),
        (StepKind.SUBMITTED, names["Osby"], date(2026, 11, 5), "", None),
        (StepKind.ATTESTED, names["coordinator"], date(2026, 11, 6), "", None),
        (StepKind.PAID, names["association"], date(2026, 11, 10), "", date(2026, 11, 9)),
    ]
    assert paid.state is State.PAID and paid.return_reason is None


def test_a_changed_rate_keeps_submitted_bases_attestable_and_corrects_on_the_next(world, people):
    """200 → 206,40 after some bases were submitted and one attested: every submitted basis
    is attested at 200; each municipality's next basis carries Ändrad dagersättning lines
    totalling Σ days × 6,40; the year's utfall equals what is claimed; the history names
    who changed the rate and why."""
    for name, start in (("Osby", date(2026, 3, 2)), ("Bromölla", date(2026, 5, 4))):
        world.started(people["investigator"], people[name], name, start)
    mar_apr, may_jun = (
        Period(date(2026, 3, 1), date(2026, 4, 30)),
        Period(date(2026, 5, 1), date(2026, 6, 30)),
    )
    claimed = {}
    for name, period in (("Osby", mar_apr), ("Osby", may_jun), ("Bromölla", may_jun)):
        act(world, requisition.submit, people[name], name, period, day=date(2026, 7, 2))
        claimed[(name, period)] = world.read(
            lambda s, name=name, period=period: requisition.basis(
                s, actor=None, municipality_id=world.municipality(name), period=period,
                today=date(2026, 7, 2),
            )
        )  # fmt: skip
    act(world, requisition.attest, people["coordinator"], "Osby", mar_apr, day=date(2026, 7, 3))
    world.do(
        program_setup.set_daily_rate,
        actor=people["coordinator"],
        year=2026,
        rate=Money.kronor("206.40"),
        now=moment(date(2026, 7, 6), 10),
        reason="Förbundets beslut 2026-07-01 om indexjustering.",
        expected=Money.kronor(200),
    )
    # The same decision again, as the page showed it before: someone else was first.
    with pytest.raises(RuleViolation) as refused:
        world.do(
            program_setup.set_daily_rate,
            actor=people["coordinator"],
            year=2026,
            rate=Money.kronor("210"),
            now=moment(date(2026, 7, 6), 11),
            reason="Fel.",
            expected=Money.kronor(200),
        )
    assert render(refused.value.text) == (
        "Dagersättningen för 2026 ändrades av någon annan nyss. Titta på den igen innan du "
        "ändrar den."
    )
    for name, period in (("Osby", may_jun), ("Bromölla", may_jun)):
        act(world, requisition.attest, people["coordinator"], name, period, day=date(2026, 7, 7))
    total_corrections = ZERO
    for name in ("Osby", "Bromölla"):
        following = world.read(
            lambda s, name=name: requisition.basis(
                s, actor=None, municipality_id=world.municipality(name),
                period=Period(date(2026, 7, 1), date(2026, 8, 31)), today=date(2026, 9, 1),
            )
        )  # fmt: skip
        rate_lines = [c for c in following.corrections if c.kind.value == "rate"]
        assert all(c.days == 0 for c in rate_lines)
        days = sum(b.days for (n, _p), b in claimed.items() if n == name)
        assert sum((c.amount for c in rate_lines), ZERO) == Money.kronor("6.40") * days
        total_corrections += following.corrections_amount
        act(world, requisition.submit, people[name], name, following.period, day=date(2026, 9, 1))
    # What is claimed for Mar–Aug equals the budget's utfall at 206,40 to the end of August.
    budget = world.read(lambda s: reports.year_budget(s, year=2026, today=date(2026, 8, 31)))
    claimed_total = world.read(
        lambda s: sum(
            (
                Money(r.total_ore)
                for r in s.scalars(select(Requisition))
                if r.state != State.RETURNED
            ),
            ZERO,
        )
    )
    assert claimed_total == budget.accrued
    decisions = world.read(lambda s: rate_decisions.decisions(s, actor=people["coordinator"]))
    assert [(d.year, d.previous, d.rate, d.reason) for d in decisions] == [
        (
            2026,
            Money.kronor(200),
            Money.kronor("206.40"),
            "Förbundets beslut 2026-07-01 om indexjustering.",
        )
    ]
