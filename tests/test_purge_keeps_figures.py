"""Gallring never changes a figure: over random referrals (women and men, running, ended with
every outcome, withdrawn, declined), on both databases, every report the association and the
steering group get — budget follow-up, indicators, Finsam, each requisition basis, accruals,
the steering report — is the same document before and after `mm purge` at a date when all
the personal data is due. (Finsam read the gender from the personnummer the purge removes:
14 women, 12 men before, 8 / 7 / 11 unknown after, in the hostile run.)"""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from domain.choices import DeclineReason, Outcome, Role
from domain.requisition import periods_ended_by
from reports.documents import (
    accruals_sheet,
    basis_sheet,
    follow_up_sheet,
    indicators_sheet,
    steering_sheets,
)
from reports.finsam import finsam_sheet
from services import (
    budget_follow_up,
    finsam_follow_up,
    indicator_report,
    placements,
    purge,
    referrals,
    requisition_lists,
    requisitions,
    steering_report,
)
from services.program_setup import current_program
from storage.models import Municipality, Participant
from tests.support.clock import moment

LATER = moment(date(2040, 1, 1))  # everything ended long ago: all personal data is due
TODAY = date(2027, 3, 31)


def _story(world, people, seed: int) -> None:
    rng = random.Random(seed)
    investigator = people["investigator"]
    for n in range(rng.randrange(3, 7)):
        town = rng.choice(["Osby", "Kristianstad"])
        contact = people[town]
        start = date(2026, 3, 2) + timedelta(weeks=rng.randrange(0, 30))
        kind = "ended" if n == 0 else rng.choice(["running", "ended", "withdrawn", "declined"])
        if kind in ("withdrawn", "declined"):
            referral = world.file(investigator, town, start)
            if kind == "declined":
                world.do(
                    referrals.decline_request,
                    actor=contact,
                    request_id=world.open_request_id(referral.id),
                    reason=DeclineReason.NO_CAPACITY,
                    comment="",
                    now=moment(start + timedelta(days=1)),
                )
            else:
                world.read(
                    lambda s, r=referral, d=start: referrals.withdraw_referral(
                        s,
                        actor=investigator,
                        referral=s.get(type(r), r.id),
                        now=moment(d + timedelta(days=1)),
                    )
                )
            continue
        referral = world.started(investigator, contact, town, start)
        if kind == "ended":
            world.do(
                placements.end_placement,
                actor=contact,
                referral_id=referral.id,
                ended_on=start + timedelta(days=rng.randrange(20, 150)),
                outcome=rng.choice(list(Outcome)),
                now=moment(start + timedelta(days=160)),
            )


def _documents(world) -> list:
    """Every report, as the document the site and `mm` write (sheets: the cells' content)."""

    def read(session):
        program = current_program(session)
        found = [
            follow_up_sheet(
                budget_follow_up.budget_follow_up(
                    session, actor=None, year=2026, to=date(2026, 12, 31), today=TODAY
                )
            ),
            indicators_sheet(
                indicator_report.indicators_report(
                    session,
                    actor=None,
                    first=date(2026, 1, 1),
                    last=TODAY,
                    today=TODAY,
                    municipality_id=None,
                ),
                date(2026, 1, 1),
                TODAY,
            ),
            finsam_sheet(
                finsam_follow_up.finsam(session, actor=None, year=2026, half=None, today=TODAY),
            ),
            finsam_sheet(
                finsam_follow_up.finsam(session, actor=None, year=2026, half=2, today=TODAY),
            ),
            *steering_sheets(
                steering_report.steering_report(
                    session, actor=None, first=date(2026, 7, 1), last=date(2026, 9, 30), today=TODAY
                )
            ),
            accruals_sheet(
                requisition_lists.accruals(session, actor=None, on=TODAY, today=TODAY), TODAY
            ),
        ]
        for municipality_id in session.scalars(select(Municipality.id).order_by(Municipality.id)):
            for period in periods_ended_by(program, TODAY):
                found.append(
                    basis_sheet(
                        requisitions.basis(
                            session,
                            actor=None,
                            municipality_id=municipality_id,
                            period=period,
                            today=TODAY,
                        )
                    )
                )
        return found

    return world.read(read)


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(seed=st.integers(0, 10**6))
def test_every_report_is_the_same_document_before_and_after_the_purge(world, seed):
    people = {
        "investigator": world.user(Role.INVESTIGATOR),
        "Osby": world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "Kristianstad": world.user(Role.MUNICIPALITY_CONTACT, "Kristianstad"),
    }
    _story(world, people, seed)
    before = _documents(world)
    people_before = world.read(lambda s: s.scalar(select(func.count()).select_from(Participant)))
    done = world.do(purge.purge, now=LATER)
    assert done.codes  # something was purged, as the count says
    left = world.read(lambda s: s.scalar(select(func.count()).select_from(Participant)))
    assert left == people_before - len(done.codes)
    after = _documents(world)
    assert len(after) == len(before)
    for earlier, later in zip(before, after, strict=True):
        assert later == earlier, earlier.title
