"""Worklists by the digest's rules: on random data, on both databases, every item in a
municipality's digest (and the coordinator's) is on its worklist and vice versa; each kind
of item is found, counted and dated as domain.deadlines says; and no item names a person."""

from __future__ import annotations

import random
from dataclasses import fields
from datetime import date, time, timedelta

import pytest

from domain.choices import DeclineReason, Outcome, Role
from domain.deadlines import DeadlineSettings, Task, in_digest
from services import meetings, placements, referrals, worklist
from services.digest import build_digest
from storage.models import Referral
from tests.support.clock import moment

TODAY = date(2026, 11, 23)
MUNICIPALITIES = ("Bromölla", "Kristianstad", "Osby", "Östra Göinge")


def book_follow_up(session, *, actor, referral_id, on, now):
    referral = session.get(Referral, referral_id)
    return meetings.book_follow_up(
        session, actor=actor, referral=referral, on=on, at=time(9), place="Rum 1", now=now
    )


def scatter(world, seed: int) -> None:
    """Referrals in every state, on random days of the autumn, by the real use cases."""
    rng = random.Random(seed)
    investigator = world.user(Role.INVESTIGATOR)
    contacts = {name: world.user(Role.MUNICIPALITY_CONTACT, name) for name in MUNICIPALITIES}
    for _ in range(40):
        where = rng.choice(MUNICIPALITIES)
        contact = contacts[where]
        asked = TODAY - timedelta(days=rng.randrange(0, 240))
        referral = world.file(investigator, where, asked)
        fate = rng.choice(["wait", "decline", "accept", "start", "start", "start", "end"])
        if fate == "wait":
            continue
        request_id = world.open_request_id(referral.id)
        if fate == "decline":
            world.do(
                referrals.decline_request,
                actor=contact,
                request_id=request_id,
                reason=DeclineReason.LOCATION,
                comment="",
                now=moment(asked),
            )
            continue
        meeting = asked + timedelta(days=rng.randrange(1, 20))
        if fate == "accept":  # booked somewhere in the coming two weeks, or just passed
            meeting = max(asked, TODAY + timedelta(days=rng.randrange(-3, 14)))
        world.do(
            referrals.accept_request,
            actor=contact,
            request_id=request_id,
            meeting_on=meeting,
            now=moment(asked),
            over_capacity_confirmed=True,
        )
        if fate == "accept" or meeting > TODAY:
            continue
        world.do(
            placements.record_meeting_held,
            actor=contact,
            referral_id=referral.id,
            held_on=meeting,
            now=moment(meeting, 15),
        )
        for use_case, name, days in (
            (placements.record_assessment_plan, "done_on", rng.choice([None, 10, 40])),
            (placements.record_workplace_training, "started_on", rng.choice([None, 30, 80])),
        ):
            if days is not None and meeting + timedelta(days=days) <= TODAY:
                on = meeting + timedelta(days=days)
                world.do(
                    use_case, actor=contact, referral_id=referral.id, now=moment(on), **{name: on}
                )
        if rng.random() < 0.4:
            book_on = TODAY + timedelta(days=rng.randrange(-5, 12))
            world.do(
                book_follow_up,
                actor=contact,
                referral_id=referral.id,
                on=book_on,
                now=moment(min(book_on, TODAY)),
            )
        if fate == "end":
            ended = min(TODAY, meeting + timedelta(days=rng.randrange(0, 60)))
            world.do(
                placements.end_placement,
                actor=contact,
                referral_id=referral.id,
                ended_on=ended,
                outcome=rng.choice(list(Outcome)),
                now=moment(ended),
            )


def digest_items(world, municipality_id):
    found = world.read(
        lambda s: build_digest(
            s, today=TODAY, since=moment(TODAY - timedelta(days=1)), municipality_id=municipality_id
        )
    )
    return (
        {("waiting", w.reference_code, w.asked_on) for w in found.waiting}
        | {("meetings", m.reference_code, m.meeting_on) for m in found.meetings}
        | {(i.slip.value, i.reference_code, i.due_on) for i in found.late}
    )


def worklist_items(world, use_case, actor, **kw):
    listed = world.read(lambda s: use_case(s, actor=actor, today=TODAY, size=10_000, **kw))
    for section in listed.sections:
        assert section.total == len(section.items)  # the count agrees with the rows
    return listed


def as_digest(listed):
    return {
        (kind, item.reference_code, item.on)
        for item in listed.items
        if (kind := in_digest(item.task, item.late)) is not None
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.slow
def test_the_worklist_and_the_digest_agree_on_random_data(world, seed):
    scatter(world, seed)
    everything = set()
    for name in MUNICIPALITIES:
        contact = world.user(Role.MUNICIPALITY_CONTACT, name)
        listed = worklist_items(world, worklist.for_municipality, contact)
        assert as_digest(listed) == digest_items(world, world.municipality(name))
        assert {i.municipality for i in listed.items} <= {name}
        # Referral items: the municipality's own requisition work is not the coordinator's.
        everything |= {(i.task, i.reference_code) for i in listed.items if i.reference_code}
    coordinator = worklist_items(world, worklist.for_coordinator, world.user(Role.COORDINATOR))
    assert as_digest(coordinator) == digest_items(world, None)
    # The data reaches every list of the digest, so each rule is compared.
    kinds = {kind for kind, _code, _on in digest_items(world, None)}
    assert kinds == {"waiting", "meetings", "assessment_plan", "workplace_training", "ending"}
    assert everything <= {(i.task, i.reference_code) for i in coordinator.items}
    assert coordinator.total > 0


def test_each_kind_of_item_is_found_and_dated(world):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    waiting = world.file(investigator, "Osby", date(2026, 11, 18))
    declined = world.file(investigator, "Osby", date(2026, 11, 16))
    world.do(
        referrals.decline_request,
        actor=osby,
        request_id=world.open_request_id(declined.id),
        reason=DeclineReason.NO_CAPACITY,
        comment="",
        now=moment(date(2026, 11, 17)),
    )
    late_meeting = world.file(investigator, "Osby", date(2026, 11, 10))
    world.do(
        referrals.accept_request,
        actor=osby,
        request_id=world.open_request_id(late_meeting.id),
        meeting_on=date(2026, 11, 19),
        now=moment(date(2026, 11, 11)),
    )
    no_plan = world.started(investigator, osby, "Osby", date(2026, 10, 19))  # due 16 Nov
    ended = world.started(investigator, osby, "Osby", date(2026, 6, 1))
    world.do(
        placements.end_placement,
        actor=osby,
        referral_id=ended.id,
        ended_on=date(2026, 11, 2),
        outcome=Outcome.DROPOUT,
        now=moment(date(2026, 11, 2)),
    )
    listed = world.read(lambda s: worklist.for_municipality(s, actor=osby, today=TODAY))
    found = {(i.task, i.reference_code): i for i in listed.items}
    request = found[(Task.ANSWER_REQUEST, waiting.reference_code)]
    assert (request.on, request.working_days, request.late) == (date(2026, 11, 18), 3, True)
    assert found[(Task.RECORD_MEETING, late_meeting.reference_code)].late
    plan = found[(Task.ASSESSMENT_PLAN, no_plan.reference_code)]
    assert (plan.on, plan.late) == (date(2026, 11, 16), True)
    report = found[(Task.FINAL_REPORT, ended.reference_code)]
    assert (report.on, report.late) == (date(2026, 12, 2), False)  # 30 days after the end
    assert (Task.BOOK_FOLLOW_UP, no_plan.reference_code) in found
    own = world.read(lambda s: worklist.for_investigator(s, actor=investigator, today=TODAY))
    mine = {(i.task, i.reference_code): i for i in own.items}
    assert mine[(Task.REROUTE, declined.reference_code)].on == date(2026, 11, 17)
    assert mine[(Task.ALTERNATIVE_PLAN, ended.reference_code)].on == date(2026, 11, 16)
    counted = world.read(lambda s: worklist.count_for(s, actor=osby, today=TODAY))
    assert counted == listed.total == len(listed.items)


def test_items_carry_no_personal_data():
    allowed = {
        "task",
        "reference_code",
        "municipality",
        "on",
        "late",
        "working_days",
        "next_meeting",
        # A requisition basis: its period, kommunkod, days, amount, and the coordinator's
        # reason for returning it (shown on the web site only; chat gets period and place).
        "period",
        "municipality_code",
        "days",
        "amount",
        "reason",
    }
    assert {f.name for f in fields(worklist.WorkItem)} == allowed


def test_a_stricter_setting_makes_requests_late_sooner(world):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    world.file(investigator, "Osby", date(2026, 11, 20))
    default = world.read(lambda s: worklist.for_municipality(s, actor=osby, today=TODAY))
    strict = world.read(
        lambda s: worklist.for_municipality(
            s, actor=osby, today=TODAY, settings=DeadlineSettings(overdue_after_working_days=0)
        )
    )
    assert [i.late for i in default.items] == [False]
    assert [i.late for i in strict.items] == [True]


def test_a_kind_is_paged_by_key_forwards_and_back(world):
    """25 running placements started on five days: 10 a page, the "next" link's key reads
    the next ten in order, "previous" the ten before, and a key that no longer reads (an
    old bookmark, a hand-made address) starts the list over."""
    from sqlalchemy import select

    from services.paging import PageAt
    from storage.db import unit_of_work
    from storage.models import Municipality
    from tests.support.bulk import insert_placements

    coordinator = world.user(Role.COORDINATOR)
    with unit_of_work(world.sessions) as session:
        osby = session.scalar(select(Municipality.id).where(Municipality.name == "Osby"))
        spans = [
            (date(2026, 9, 1) + timedelta(days=n % 5), date(2027, 2, 26), False) for n in range(25)
        ]
        insert_placements(session, osby, spans)

    def page(at):
        (section,) = world.read(
            lambda s: worklist.for_coordinator(
                s, actor=coordinator, today=TODAY, task=Task.BOOK_FOLLOW_UP, size=10, page=at
            )
        ).sections
        return section

    first = page(PageAt(1))
    second = page(PageAt(2, after=first.last_key))
    third = page(PageAt(3, after=second.last_key))
    back = page(PageAt(2, before=third.first_key))
    assert (first.total, first.pages, len(third.items)) == (25, 3, 5)
    codes = [i.reference_code for s in (first, second, third) for i in s.items]
    assert len(set(codes)) == 25
    assert [i.on for s in (first, second, third) for i in s.items] == sorted(
        i.on for s in (first, second, third) for i in s.items
    )
    assert back.items == second.items and back.number == 2 and third.has_next is False
    assert page(PageAt(3, after="not-a-key")).items == first.items
