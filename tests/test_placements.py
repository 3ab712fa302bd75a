"""A running placement: start, milestones, extension, end, final report, alternative plan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.choices import Outcome, Role
from domain.errors import NotAllowed, RuleViolation
from domain.lifecycle import ReferralStatus
from locales import render
from services import placements, referrals
from storage.models import Placement, Referral
from tests.support.clock import moment

START = date(2026, 3, 2)


@pytest.fixture
def people(world):
    return {
        "investigator": world.user(Role.INVESTIGATOR),
        "coordinator": world.user(Role.COORDINATOR),
        "osby": world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "bromolla": world.user(Role.MUNICIPALITY_CONTACT, "Bromölla"),
    }


@pytest.fixture
def running(world, people):
    return world.started(people["investigator"], people["osby"], "Osby", START)


def placement_of(world, referral) -> Placement:
    return world.read(lambda s: s.get(Referral, referral.id).placement)


def test_the_held_meeting_starts_six_months_of_enrolment(world, running):
    placement = placement_of(world, running)
    assert placement.started_on == START
    assert placement.planned_end_on == date(2026, 9, 1)
    assert world.status(running.id) is ReferralStatus.STARTED


def test_a_meeting_cannot_be_recorded_as_held_in_the_future(world, people):
    referral = world.file(people["investigator"], "Osby", START)
    world.do(
        referrals.accept_request,
        actor=people["osby"],
        request_id=world.open_request_id(referral.id),
        meeting_on=START + timedelta(9),
        now=moment(START),
    )
    with pytest.raises(RuleViolation) as caught:
        world.do(
            placements.record_meeting_held,
            actor=people["osby"],
            referral_id=referral.id,
            held_on=START + timedelta(9),
            now=moment(START + timedelta(2)),
        )
    assert render(caught.value.text) == "Datumet kan inte ligga i framtiden."
    assert world.status(referral.id) is ReferralStatus.ACCEPTED


def test_another_municipality_cannot_touch_the_placement(world, people, running):
    with pytest.raises(NotAllowed):
        world.do(
            placements.record_assessment_plan,
            actor=people["bromolla"],
            referral_id=running.id,
            done_on=START,
            now=moment(START + timedelta(5)),
        )


def test_milestones_are_recorded_with_their_dates(world, people, running):
    world.do(
        placements.record_assessment_plan,
        actor=people["osby"],
        referral_id=running.id,
        done_on=date(2026, 3, 20),
        now=moment(date(2026, 3, 20)),
    )
    world.do(
        placements.record_workplace_training,
        actor=people["osby"],
        referral_id=running.id,
        started_on=date(2026, 4, 20),
        now=moment(date(2026, 4, 21)),
    )
    placement = placement_of(world, running)
    assert (placement.assessment_plan_on, placement.workplace_training_on) == (
        date(2026, 3, 20),
        date(2026, 4, 20),
    )


def test_a_milestone_is_recorded_once_and_a_second_recording_is_refused(world, people, running):
    record = {"actor": people["osby"], "referral_id": running.id}
    world.do(
        placements.record_assessment_plan,
        **record,
        done_on=date(2026, 3, 20),
        now=moment(date(2026, 3, 20)),
    )
    with pytest.raises(RuleViolation) as caught:
        world.do(
            placements.record_assessment_plan,
            **record,
            done_on=date(2026, 3, 25),
            now=moment(date(2026, 3, 25)),
        )
    assert render(caught.value.text) == (
        "Kartläggning och individuell planering är redan registrerade som klara 20 mars 2026."
    )
    assert placement_of(world, running).assessment_plan_on == date(2026, 3, 20)


def test_a_milestone_before_the_start_is_refused(world, people, running):
    with pytest.raises(RuleViolation) as caught:
        world.do(
            placements.record_assessment_plan,
            actor=people["osby"],
            referral_id=running.id,
            done_on=START - timedelta(1),
            now=moment(date(2026, 3, 20)),
        )
    assert (
        render(caught.value.text) == "Datumet kan inte vara före trepartssamtalet den 2 mars 2026."
    )
    assert caught.value.field == "done_on"


def test_extension_is_recorded_and_never_past_twelve_months(world, people, running):
    world.do(
        placements.extend_placement,
        actor=people["osby"],
        referral_id=running.id,
        new_end=date(2026, 12, 1),
        now=moment(date(2026, 8, 20)),
    )
    with pytest.raises(RuleViolation):
        world.do(
            placements.extend_placement,
            actor=people["osby"],
            referral_id=running.id,
            new_end=date(2027, 3, 2),
            now=moment(date(2026, 11, 20)),
        )
    world.do(
        placements.extend_placement,
        actor=people["osby"],
        referral_id=running.id,
        new_end=date(2027, 3, 1),
        now=moment(date(2026, 11, 20)),
    )
    placement = world.read(
        lambda s: (
            p := s.get(Placement, placement_of(world, running).id),
            [(e.previous_end_on, e.new_end_on) for e in p.extensions],
        )
    )
    assert placement[0].planned_end_on == date(2027, 3, 1)
    assert placement[1] == [
        (date(2026, 9, 1), date(2026, 12, 1)),
        (date(2026, 12, 1), date(2027, 3, 1)),
    ]


def test_ending_records_outcome_and_stops_the_placement(world, people, running):
    world.do(
        placements.end_placement,
        actor=people["osby"],
        referral_id=running.id,
        ended_on=date(2026, 7, 31),
        outcome=Outcome.WORK,
        now=moment(date(2026, 8, 3)),
    )
    placement = placement_of(world, running)
    assert (placement.ended_on, placement.outcome) == (date(2026, 7, 31), Outcome.WORK)
    assert world.status(running.id) is ReferralStatus.ENDED
    with pytest.raises(RuleViolation) as caught:
        world.do(
            placements.record_workplace_training,
            actor=people["osby"],
            referral_id=running.id,
            started_on=date(2026, 7, 1),
            now=moment(date(2026, 8, 3)),
        )
    assert render(caught.value.text) == ("Detta kan bara registreras medan träningsplatsen pågår.")


def test_ending_needs_an_outcome(world, people, running):
    with pytest.raises(RuleViolation) as caught:
        world.do(
            placements.end_placement,
            actor=people["osby"],
            referral_id=running.id,
            ended_on=date(2026, 7, 31),
            outcome=None,
            now=moment(date(2026, 8, 3)),
        )
    assert caught.value.field == "outcome"
    assert world.status(running.id) is ReferralStatus.STARTED


def test_final_report_comes_after_the_end(world, people, running):
    with pytest.raises(RuleViolation):
        world.do(
            placements.record_final_report,
            actor=people["osby"],
            referral_id=running.id,
            received_on=date(2026, 5, 1),
            now=moment(date(2026, 5, 1)),
        )
    world.do(
        placements.end_placement,
        actor=people["osby"],
        referral_id=running.id,
        ended_on=date(2026, 7, 31),
        outcome=Outcome.STUDIES,
        now=moment(date(2026, 8, 3)),
    )
    world.do(
        placements.record_final_report,
        actor=people["osby"],
        referral_id=running.id,
        received_on=date(2026, 8, 14),
        now=moment(date(2026, 8, 14)),
    )
    assert placement_of(world, running).final_report_on == date(2026, 8, 14)


def test_fk_records_the_alternative_plan_for_those_without_a_goal_outcome(world, people, running):
    world.do(
        placements.end_placement,
        actor=people["osby"],
        referral_id=running.id,
        ended_on=date(2026, 7, 31),
        outcome=Outcome.DROPOUT,
        now=moment(date(2026, 8, 3)),
    )
    with pytest.raises(NotAllowed):
        world.do(
            placements.record_alternative_plan,
            actor=people["osby"],
            referral_id=running.id,
            planned_on=date(2026, 8, 10),
            now=moment(date(2026, 8, 10)),
        )
    world.do(
        placements.record_alternative_plan,
        actor=people["coordinator"],
        referral_id=running.id,
        planned_on=date(2026, 8, 10),
        now=moment(date(2026, 8, 10)),
    )
    assert placement_of(world, running).alternative_plan_on == date(2026, 8, 10)


def test_no_alternative_plan_after_work(world, people, running):
    world.do(
        placements.end_placement,
        actor=people["osby"],
        referral_id=running.id,
        ended_on=date(2026, 7, 31),
        outcome=Outcome.WORK,
        now=moment(date(2026, 8, 3)),
    )
    with pytest.raises(RuleViolation):
        world.do(
            placements.record_alternative_plan,
            actor=people["investigator"],
            referral_id=running.id,
            planned_on=date(2026, 8, 10),
            now=moment(date(2026, 8, 10)),
        )
