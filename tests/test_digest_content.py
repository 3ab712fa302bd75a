"""What the daily digest says, with a fixed clock: waiting requests by age in working days,
meetings in the coming five working days, slipping milestones, unconfirmed rates, quiet days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cli.demo_data import ACCEPTED_MEETING_IN, REQUESTED_DAYS_AGO
from domain.calendar import add_working_days, is_working_day, working_days_between
from domain.choices import Role
from domain.deadlines import DeadlineSettings, Slip
from services import login, municipalities, placements, referrals
from services.digest import build_digest
from storage.models import User
from tests.support.clock import moment

MONDAY = date(2026, 11, 23)


def digest(world, today=MONDAY, since=None, **kw):
    since = since or moment(today - timedelta(days=1), hour=7)
    return world.read(lambda s: build_digest(s, today=today, since=since, **kw))


def test_working_days_skip_weekends_and_public_holidays():
    assert not is_working_day(date(2026, 12, 25)) and not is_working_day(date(2026, 11, 28))
    assert is_working_day(date(2026, 12, 23))
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 24)) == 2  # Fri -> Tue
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 29)


def test_waiting_requests_oldest_first_flagged_after_two_working_days(sqlite_world):
    investigator = sqlite_world.user(Role.INVESTIGATOR)
    for asked in (date(2026, 11, 18), date(2026, 11, 20), date(2026, 11, 23)):
        sqlite_world.file(investigator, "Osby", asked)
    found = digest(sqlite_world).waiting
    assert [(w.asked_on, w.working_days, w.overdue) for w in found] == [
        (date(2026, 11, 18), 3, True),  # Wed -> Mon: Thu, Fri, Mon
        (date(2026, 11, 20), 1, False),
        (date(2026, 11, 23), 0, False),
    ]
    assert {w.municipality for w in found} == {"Osby"}
    stricter = digest(sqlite_world, settings=DeadlineSettings(overdue_after_working_days=0))
    assert [w.overdue for w in stricter.waiting] == [True, True, False]


def test_meetings_booked_in_the_coming_five_working_days(sqlite_world):
    investigator = sqlite_world.user(Role.INVESTIGATOR)
    osby = sqlite_world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    booked = []
    for meeting_on in (date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 1)):
        referral = sqlite_world.file(investigator, "Osby", date(2026, 11, 20))
        sqlite_world.do(
            referrals.accept_request,
            actor=osby,
            request_id=sqlite_world.open_request_id(referral.id),
            meeting_on=meeting_on,
            now=moment(date(2026, 11, 20)),
        )
        booked.append(referral.reference_code)
    found = digest(sqlite_world).meetings
    # Mon 23 Nov + 5 working days = Mon 30 Nov; 1 December is beyond.
    assert [(m.reference_code, m.meeting_on) for m in found] == [
        (booked[0], date(2026, 11, 23)),
        (booked[1], date(2026, 11, 30)),
    ]


def test_slipping_milestones_and_planned_ends(sqlite_world):
    investigator = sqlite_world.user(Role.INVESTIGATOR)
    osby = sqlite_world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    on_track = sqlite_world.started(investigator, osby, "Osby", date(2026, 11, 2))
    no_plan = sqlite_world.started(investigator, osby, "Osby", date(2026, 10, 19))
    no_training = sqlite_world.started(investigator, osby, "Osby", date(2026, 9, 7))
    sqlite_world.do(
        placements.record_assessment_plan,
        actor=osby,
        referral_id=no_training.id,
        done_on=date(2026, 9, 20),
        now=moment(date(2026, 9, 21)),
    )
    ending = sqlite_world.started(investigator, osby, "Osby", date(2026, 6, 15))
    sqlite_world.do(
        placements.record_assessment_plan,
        actor=osby,
        referral_id=ending.id,
        done_on=date(2026, 7, 1),
        now=moment(date(2026, 7, 1)),
    )
    sqlite_world.do(
        placements.record_workplace_training,
        actor=osby,
        referral_id=ending.id,
        started_on=date(2026, 8, 3),
        now=moment(date(2026, 8, 3)),
    )
    late = [(i.reference_code, i.slip, i.due_on) for i in digest(sqlite_world).late]
    # Ordered by due date, then code: 19 Oct + 4 weeks and 7 Sep + 10 weeks both fall on 16 Nov.
    assert late == [
        (no_plan.reference_code, Slip.ASSESSMENT_PLAN, date(2026, 11, 16)),
        (no_training.reference_code, Slip.WORKPLACE_TRAINING, date(2026, 11, 16)),
        (ending.reference_code, Slip.ENDING, date(2026, 12, 14)),
    ]
    assert on_track.reference_code not in {code for code, _, _ in late}


def test_a_municipality_sees_only_its_own(sqlite_world):
    investigator = sqlite_world.user(Role.INVESTIGATOR)
    sqlite_world.file(investigator, "Osby", MONDAY)
    sqlite_world.file(investigator, "Bromölla", MONDAY)
    osby_id = sqlite_world.municipality("Osby")
    own = digest(sqlite_world, municipality_id=osby_id)
    assert [w.municipality for w in own.waiting] == ["Osby"]
    assert [p.municipality for p in own.places] == ["Osby"]
    assert own.budget is None and own.unconfirmed_rate_year is None
    everyone = digest(sqlite_world)
    assert len(everyone.waiting) == 2 and len(everyone.places) == 4
    assert everyone.budget.year.year == 2026


def test_an_unconfirmed_rate_is_raised_once_its_year_has_begun(sqlite_world):
    assert digest(sqlite_world).unconfirmed_rate_year is None  # 2026 is confirmed
    assert digest(sqlite_world, today=date(2027, 1, 4)).unconfirmed_rate_year == 2027


def test_a_quiet_day_says_nothing_new(sqlite_world):
    quiet = digest(sqlite_world, today=date(2026, 1, 5), since=moment(date(2026, 1, 2)))
    assert quiet.quiet
    investigator = sqlite_world.user(Role.INVESTIGATOR)
    sqlite_world.file(investigator, "Osby", date(2026, 1, 5))
    assert not digest(sqlite_world, today=date(2026, 1, 5), since=moment(date(2026, 1, 2))).quiet


@pytest.mark.slow
def test_the_demo_data_on_a_normal_monday(demo_world):
    found = digest(demo_world, since=moment(MONDAY - timedelta(days=3), hour=7))
    assert len(found.waiting) == len(REQUESTED_DAYS_AGO)
    assert [w.asked_on for w in found.waiting] == sorted(
        MONDAY - timedelta(days=d) for d in REQUESTED_DAYS_AGO
    )
    horizon = add_working_days(MONDAY, 5)
    assert len(found.meetings) == sum(
        1 for d in ACCEPTED_MEETING_IN if MONDAY + timedelta(days=d) <= horizon
    )
    kinds = {item.slip for item in found.late}
    assert kinds == {Slip.ASSESSMENT_PLAN, Slip.WORKPLACE_TRAINING, Slip.ENDING}
    assert not found.quiet


def test_logging_in_is_not_a_change(sqlite_world):
    quiet = {"today": date(2026, 1, 5), "since": moment(date(2026, 1, 2))}
    user = sqlite_world.user(Role.COORDINATOR, password="correct horse battery")
    found = sqlite_world.do(
        login.check_password,
        email=user_email(sqlite_world, user),
        password="correct horse battery",
        address="127.0.0.1",
        now=moment(date(2026, 1, 5), 8),
    )
    assert found.user is not None
    sqlite_world.read(
        lambda s: login.finish_login(
            s, user=s.get(User, user.user_id), method="password", now=moment(date(2026, 1, 5), 8)
        )
    )
    assert digest(sqlite_world, **quiet).quiet
    sqlite_world.do(
        municipalities.set_capacity,
        actor=sqlite_world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        municipality_id=sqlite_world.municipality("Osby"),
        capacity=3,
        now=moment(date(2026, 1, 5), 9),
    )
    assert not digest(sqlite_world, **quiet).quiet


def user_email(world, actor) -> str:
    return world.read(lambda s: s.get(User, actor.user_id).email)


def test_requisitions_waiting_and_periods_not_submitted(sqlite_world):
    """The coordinator's digest lists bases waiting for attestation and every municipality's
    ended periods with days that are not submitted; a municipality's lists its own."""
    from domain.requisition import Period
    from services import requisitions

    investigator = sqlite_world.user(Role.INVESTIGATOR)
    osby = sqlite_world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    sqlite_world.started(investigator, osby, "Osby", date(2026, 3, 2))  # planned end 1 Sep
    march = Period(date(2026, 3, 1), date(2026, 4, 30))
    sqlite_world.do(
        requisitions.submit,
        actor=osby,
        municipality_id=sqlite_world.municipality("Osby"),
        period=march,
        now=moment(date(2026, 5, 4)),
    )
    everyone = digest(sqlite_world)
    assert [(r.municipality, r.period.key) for r in everyone.requisitions_waiting] == [
        ("Osby", "2026-03")
    ]
    assert [(r.municipality, r.period.key) for r in everyone.unsubmitted] == [
        ("Osby", "2026-05"),
        ("Osby", "2026-07"),
        ("Osby", "2026-09"),  # 1 September, the planned end
    ]
    own = digest(sqlite_world, municipality_id=sqlite_world.municipality("Osby"))
    assert own.requisitions_waiting == ()
    assert [r.period.key for r in own.unsubmitted] == ["2026-05", "2026-07", "2026-09"]
    bromolla = digest(sqlite_world, municipality_id=sqlite_world.municipality("Bromölla"))
    assert bromolla.unsubmitted == ()
