"""The lists are filtered, searched, counted and paged in SQL: a code finds its referral in
a long list for everyone who may see it, a personnummer only for those who may see personal
data, and every such search is in the audit log (also one that found nothing)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from domain.access import Actor
from domain.choices import Role
from domain.errors import NotAllowed, RuleViolation
from domain.lifecycle import ReferralStatus
from locales import render
from services import lists
from storage.db import unit_of_work
from storage.models import AuditEntry, Referral, User
from tests.support.bulk import NationalSize, build_national, insert_placements
from tests.support.clock import moment

NOW = moment(date(2026, 11, 23))


@pytest.fixture
def people(world):
    return {
        "investigator": world.user(Role.INVESTIGATOR),
        "other": world.user(Role.INVESTIGATOR),
        "osby": world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "kristianstad": world.user(Role.MUNICIPALITY_CONTACT, "Kristianstad"),
        "coordinator": world.user(Role.COORDINATOR),
    }


def listing(world, actor, **kw):
    return world.read(lambda s: lists.referrals_for(s, actor=actor, now=NOW, **kw))


def test_the_coordinator_finds_one_code_among_thousands_and_pages_through_them(world, people):
    osby = world.municipality("Osby")
    with unit_of_work(world.sessions) as session:
        spans = [(date(2026, 3, 2), date(2026, 9, 1), False)] * 2500
        insert_placements(session, osby, spans)
    mine = world.file(people["investigator"], "Kristianstad", date(2026, 11, 20))
    found = listing(world, people["coordinator"], search=mine.reference_code.lower())
    assert [r.reference_code for r in found.rows] == [mine.reference_code]
    assert found.total == 1
    # Counted to the first thousand: "over 1 000", and whether a page follows.
    pages = listing(world, people["coordinator"], page=3)
    assert (pages.total, pages.over, pages.number, len(pages.rows)) == (1000, True, 3, 50)
    assert pages.has_next and pages.has_previous
    last = listing(world, people["coordinator"], page=999)  # beyond the end: the last page
    assert (last.number, len(last.rows), last.has_next) == (51, 1, False)
    in_osby = listing(world, people["coordinator"], municipality_id=osby)
    assert (in_osby.total, in_osby.over) == (1000, True)
    elsewhere = listing(
        world, people["coordinator"], municipality_id=world.municipality("Kristianstad")
    )
    assert (elsewhere.total, elsewhere.over, elsewhere.pages) == (1, False, 1)
    assert listing(world, people["coordinator"], search="BULK-000012").total == 10  # 120–129


def test_a_code_is_found_only_within_what_one_may_see(world, people):
    mine = world.file(people["investigator"], "Osby", date(2026, 11, 20))
    assert listing(world, people["other"], search=mine.reference_code).total == 0
    assert listing(world, people["investigator"], search=mine.reference_code).total == 1
    inbox = world.read(
        lambda s: lists.inbox_for(
            s, actor=people["kristianstad"], now=NOW, search=mine.reference_code
        )
    )
    assert inbox.open_requests.total == inbox.placements.total == 0
    inbox = world.read(
        lambda s: lists.inbox_for(s, actor=people["osby"], now=NOW, search=mine.reference_code)
    )
    assert [r.reference_code for r in inbox.open_requests.rows] == [mine.reference_code]


def searches(world):
    return world.read(
        lambda s: [
            (e.user_id, e.referral_id)
            for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "search"))
        ]
    )


def test_a_search_for_a_person_is_audited_even_when_nothing_is_found(world, people):
    mine = world.file(people["investigator"], "Osby", date(2026, 11, 20))
    number = world.read(lambda s: s.get(Referral, mine.id).participant.personal_identity_number)
    written = f"{number[2:8]}-{number[8:]}"  # YYMMDD-XXXX finds it too
    found = listing(world, people["coordinator"], search=written)
    assert [r.reference_code for r in found.rows] == [mine.reference_code]
    assert listing(world, people["other"], search=written).total == 0  # not theirs
    osby = world.read(lambda s: lists.inbox_for(s, actor=people["osby"], now=NOW, search=number))
    assert osby.open_requests.total == 1
    assert searches(world) == [
        (people["coordinator"].user_id, mine.id),
        (people["other"].user_id, None),
        (people["osby"].user_id, mine.id),
    ]


def test_a_wrong_search_says_why(world, people):
    with pytest.raises(RuleViolation) as wrong:
        listing(world, people["coordinator"], search="19810923-9808")
    assert render(wrong.value.text).startswith("Personnumret är inte giltigt.")
    association = world.user(Role.ASSOCIATION)
    with pytest.raises(NotAllowed):
        world.read(lambda s: lists.read_search("198109239809", actor=association, today=NOW.date()))


def test_a_search_for_a_person_read_only_writes_its_audit_row_in_its_own_transaction(world, people):
    """The list is read in a read-only unit of work (PostgreSQL refuses any write in it); the
    audit row is written apart, and is there also when the reading unit rolls back."""
    mine = world.file(people["investigator"], "Osby", date(2026, 11, 20))
    number = world.read(lambda s: s.get(Referral, mine.id).participant.personal_identity_number)
    with pytest.raises(LookupError), unit_of_work(world.sessions, read_only=True) as session:
        found = lists.referrals_for(
            session,
            actor=people["coordinator"],
            now=NOW,
            search=number,
            audit_apart=world.sessions,
        )
        assert [r.reference_code for r in found.rows] == [mine.reference_code]
        raise LookupError("the page failed after the search")
    assert searches(world) == [(people["coordinator"].user_id, mine.id)]


def test_the_inbox_lists_every_placement_that_still_needs_something_done(sessions):
    """Accepted, started, or ended without the final report, of the contact's municipality
    only, in the order of the meeting or start day: the same rows as a walk over every
    referral finds, by the index of placements without the report (services.lists)."""
    size = NationalSize(municipalities=8, placements=400, open_requests=20, today=NOW.date())
    with unit_of_work(sessions) as session:
        data = build_national(session, size)
        name = data.largest_municipality
        contact = session.scalars(select(User).where(User.email == data.contacts[name])).one()
        actor = Actor(contact.id, contact.role, contact.municipality_id)
        accepted = session.scalars(
            select(Referral).where(
                Referral.current_municipality_id == actor.municipality_id,
                Referral.status == ReferralStatus.ACCEPTED,
            )
        ).first()
        accepted.status = ReferralStatus.WITHDRAWN  # withdrawn after the acceptance
    with unit_of_work(sessions) as session:
        mine = session.scalars(
            select(Referral).where(Referral.current_municipality_id == actor.municipality_id)
        ).all()
        needing = sorted(
            (r.placement.started_on or r.placement.meeting_on, r.reference_code)
            for r in mine
            if r.status in (ReferralStatus.ACCEPTED, ReferralStatus.STARTED)
            or (r.status is ReferralStatus.ENDED and r.placement.final_report_on is None)
        )
        reported = next(
            r.reference_code
            for r in mine
            if r.status is ReferralStatus.ENDED and r.placement.final_report_on is not None
        )
    assert needing and accepted.reference_code not in {code for _, code in needing}
    inbox = _read(sessions, lambda s: lists.inbox_for(s, actor=actor, now=NOW, size=1000))
    assert [r.reference_code for r in inbox.placements.rows] == [code for _, code in needing]
    assert inbox.placements.total == len(needing)

    def found(code: str) -> list[str]:  # a search: counted by its own statement
        inbox = _read(sessions, lambda s: lists.inbox_for(s, actor=actor, now=NOW, search=code))
        shown = inbox.placements
        assert shown.total == len(shown.rows)
        return [r.reference_code for r in shown.rows]

    assert found(needing[-1][1]) == [needing[-1][1]]
    assert found(reported) == found(accepted.reference_code) == []


def _read(sessions, query):
    with unit_of_work(sessions, read_only=True) as session:
        return query(session)
