"""Gallring with the clock moved forward, on SQLite and PostgreSQL: exactly the due
participants' personal data goes, every figure stays the same, a second run does nothing,
and --dry-run changes nothing. The audit log refuses UPDATE and DELETE in the database
itself; only the purge of rows past the log's retention gets through."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from domain.choices import DeclineReason, Outcome, Role
from domain.lifecycle import ReferralStatus
from services import audit, placements, purge, referrals, reports
from storage.db import unit_of_work
from storage.models import AuditEntry, Event, Participant, PlacementRequest, Referral
from tests.support.clock import moment
from tests.support.world import VALID_NUMBERS

LATER = moment(date(2028, 11, 15))


@pytest.fixture
def history(world):
    """Referrals in every state, with views in the audit log."""
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    kristianstad = world.user(Role.MUNICIPALITY_CONTACT, "Kristianstad")
    codes = {}
    # Ended on 2026-08-31: due 24 months later, in September 2028.
    ended = world.started(investigator, osby, "Osby", date(2026, 3, 2))
    world.do(
        placements.end_placement,
        actor=osby,
        referral_id=ended.id,
        ended_on=date(2026, 8, 31),
        outcome=Outcome.WORK,
        now=moment(date(2026, 8, 31)),
    )
    codes["ended_long_ago"] = ended.reference_code
    # Ended on 2027-06-30: not due until July 2029.
    recent = world.started(investigator, osby, "Osby", date(2027, 1, 11))
    world.do(
        placements.end_placement,
        actor=osby,
        referral_id=recent.id,
        ended_on=date(2027, 6, 30),
        outcome=Outcome.STUDIES,
        now=moment(date(2027, 6, 30)),
    )
    codes["ended_recently"] = recent.reference_code
    # Withdrawn in 2026: due six months later.
    withdrawn = world.file(
        investigator, "Osby", date(2026, 4, 1), participant=_someone(VALID_NUMBERS[1])
    )
    world.read(
        lambda s: referrals.withdraw_referral(
            s,
            actor=investigator,
            referral=s.get(Referral, withdrawn.id),
            now=moment(date(2026, 4, 2)),
        )
    )
    codes["withdrawn"] = withdrawn.reference_code
    # Declined with a comment in 2028-09: not due until March 2029.
    declined = world.file(
        investigator, "Kristianstad", date(2028, 9, 1), participant=_someone(VALID_NUMBERS[2])
    )
    world.do(
        referrals.decline_request,
        actor=kristianstad,
        request_id=world.open_request_id(declined.id),
        reason=DeclineReason.OTHER,
        comment="Deltagaren bor för långt bort.",
        now=moment(date(2028, 9, 2)),
    )
    codes["declined_recently"] = declined.reference_code
    # Still running: never due.
    running = world.started(investigator, osby, "Osby", date(2028, 9, 4))
    codes["running"] = running.reference_code
    for code in codes.values():
        world.read(
            lambda s, code=code: audit.record_view(
                s,
                actor=investigator,
                referral_id=s.scalars(
                    select(Referral.id).where(Referral.reference_code == code)
                ).one(),
                now=moment(date(2026, 9, 1)),
                address="10.0.0.1",
                seen=audit.Seen.REFERRAL_PAGE,
            )
        )
    return codes


def _someone(number: str):
    from domain.participants import ParticipantDetails

    return ParticipantDetails(name="Bo Bengtsson", personal_identity_number=number, needs="Lager.")


def figures(world, today: date):
    """Every figure the budget, indicators, availability and a Finsam count are made of."""

    def read(session):
        years = [reports.year_budget(session, year=y, today=today) for y in (2026, 2027, 2028)]
        started = session.execute(
            select(Referral.gender, func.count())
            .where(Referral.status.in_([ReferralStatus.STARTED, ReferralStatus.ENDED]))
            .group_by(Referral.gender)
        ).all()
        return (
            years,
            reports.indicators(session, today=today),
            reports.availability(session),
            Counter(dict(started)),
        )

    return world.read(read)


def personal(world) -> dict[str, str | None]:
    def read(session):
        rows = session.execute(
            select(Referral.reference_code, Participant.name).outerjoin(
                Participant, Participant.referral_id == Referral.id
            )
        ).all()
        return dict(rows)

    return world.read(read)


def test_the_purge_removes_exactly_the_due_personal_data_and_keeps_every_figure(world, history):
    before = figures(world, LATER.date())
    dry = world.do(purge.purge, now=LATER, dry_run=True)
    assert sorted(dry.codes) == sorted([history["ended_long_ago"], history["withdrawn"]])
    assert all(name is not None for name in personal(world).values())  # nothing changed

    done = world.do(purge.purge, now=LATER)
    assert sorted(done.codes) == sorted(dry.codes)
    left = personal(world)
    assert left[history["ended_long_ago"]] is None and left[history["withdrawn"]] is None
    for key in ("ended_recently", "declined_recently", "running"):
        assert left[history[key]] is not None, key
    assert figures(world, LATER.date()) == before

    def kept(session):
        referral = session.scalars(
            select(Referral).where(Referral.reference_code == history["ended_long_ago"])
        ).one()
        return (
            referral.status,
            referral.placement.ended_on,
            referral.placement.outcome,
            referral.purged_at,
            referral.gender is not None,
        )

    assert world.read(kept) == (ReferralStatus.ENDED, date(2026, 8, 31), Outcome.WORK, LATER, True)
    purged_events = world.read(
        lambda s: s.scalar(
            select(func.count()).select_from(Event).where(Event.kind == "personal_data_purged")
        )
    )
    assert purged_events == 2
    again = world.do(purge.purge, now=LATER)
    assert again.codes == [] and again.audit_rows == 0
    assert figures(world, LATER.date()) == before

    # Half a year on, the declined referral's comment goes with its personal data.
    much_later = LATER + timedelta(days=200)
    world.do(purge.purge, now=much_later)
    comments = world.read(
        lambda s: [r.decline_comment for r in s.scalars(select(PlacementRequest))]
    )
    assert "Deltagaren bor för långt bort." not in comments


def test_audit_rows_leave_only_through_the_purge_after_five_years(world, history):
    def count(session):
        return session.scalar(select(func.count()).select_from(AuditEntry))

    rows = world.read(count)
    assert rows == 5
    for statement in ("UPDATE audit_log SET address = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError) as refused, unit_of_work(world.sessions) as session:
            session.execute(text(statement))
        # SQLite: the triggers; PostgreSQL: the site's role has no such privilege at all.
        assert "append-only" in str(refused.value) or "permission denied" in str(refused.value)
    assert world.read(count) == 5
    assert world.do(purge.purge, now=LATER, dry_run=True).audit_rows == 0
    five_years = moment(date(2031, 9, 2))
    assert world.do(purge.purge, now=five_years, dry_run=True).audit_rows == 5
    assert world.do(purge.purge, now=five_years).audit_rows == 5
    assert world.read(count) == 0
    # The permit went with the purge's transaction: a plain DELETE is refused again.
    world.read(
        lambda s: audit.record_view(
            s,
            actor=world.user(Role.COORDINATOR),
            referral_id=None,
            now=five_years,
            address="",
            seen=audit.Seen.LOG_SEARCH,
        )
    )
    with pytest.raises(DBAPIError), unit_of_work(world.sessions) as session:
        session.execute(text("DELETE FROM audit_log"))
