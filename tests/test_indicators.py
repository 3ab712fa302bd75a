"""The four goals of the process description, measured."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from domain.choices import Outcome, Role
from domain.indicators import Goal, Indicator
from services import placements, reports
from tests.support.clock import moment


def by_goal(world, today: date) -> dict[Goal, Indicator]:
    return {i.goal: i for i in world.read(lambda s: reports.indicators(s, today=today))}


def test_indicators_count_on_time_late_and_not_yet_due(world):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    start = date(2026, 3, 2)
    on_time, late, fresh = (
        world.started(investigator, osby, "Osby", start),
        world.started(investigator, osby, "Osby", start),
        world.started(investigator, osby, "Osby", date(2026, 5, 11)),
    )
    record = placements.record_assessment_plan
    world.do(
        record,
        actor=osby,
        referral_id=on_time.id,
        done_on=start + timedelta(days=28),
        now=moment(date(2026, 5, 20)),
    )
    world.do(
        record,
        actor=osby,
        referral_id=late.id,
        done_on=start + timedelta(days=29),
        now=moment(date(2026, 5, 20)),
    )
    world.do(
        placements.record_workplace_training,
        actor=osby,
        referral_id=on_time.id,
        started_on=start + timedelta(weeks=10),
        now=moment(date(2026, 5, 20)),
    )
    found = by_goal(world, date(2026, 5, 20))
    # The fresh one (9 days in, nothing recorded) is not yet due for either goal.
    assert (found[Goal.ASSESSMENT_PLAN].achieved, found[Goal.ASSESSMENT_PLAN].counted) == (1, 2)
    # Workplace training: on_time within 10 weeks; late passed week 10 without it.
    training = found[Goal.WORKPLACE_TRAINING]
    assert (training.achieved, training.counted) == (1, 2)
    assert training.share == Decimal("0.5") and training.met is False
    assert fresh.id  # started, still counted nowhere


def test_outcome_goals_over_ended_participants(world):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    coordinator = world.user(Role.COORDINATOR)
    start, end = date(2026, 3, 2), date(2026, 8, 28)
    outcomes = [
        Outcome.WORK,
        Outcome.STUDIES,
        Outcome.DROPOUT,
        Outcome.OTHER_MEASURE,
        Outcome.ALTERNATIVE_PLAN,
    ]
    made = []
    for outcome in outcomes:
        referral = world.started(investigator, osby, "Osby", start)
        world.do(
            placements.end_placement,
            actor=osby,
            referral_id=referral.id,
            ended_on=end,
            outcome=outcome,
            now=moment(end),
        )
        made.append(referral)
    world.do(
        placements.record_alternative_plan,
        actor=coordinator,
        referral_id=made[2].id,
        planned_on=end,
        now=moment(end),
    )
    found = by_goal(world, date(2026, 9, 1))
    goal = found[Goal.GOAL_OUTCOME]
    assert (goal.achieved, goal.counted, goal.met) == (2, 5, True)  # 40 % is the goal
    alternative = found[Goal.ALTERNATIVE_PLAN]
    # dropout (plan recorded) and alternative plan (the outcome itself) of three.
    assert (alternative.achieved, alternative.counted, alternative.met) == (2, 3, False)


def test_no_data_means_no_share():
    indicator = Indicator(Goal.GOAL_OUTCOME, 0, 0)
    assert indicator.share is None and indicator.met is None
