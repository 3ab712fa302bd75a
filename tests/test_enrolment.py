"""Enrolment: 6 months from the tripartite meeting, extension to at most 12 months."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain import enrolment
from domain.errors import RuleViolation
from locales import render

START = date(2026, 3, 2)


def test_six_months_from_the_start_inclusive(program):
    assert enrolment.planned_end(program, START) == date(2026, 9, 1)
    assert enrolment.planned_end(program, date(2026, 8, 31)) == date(2027, 2, 27)


def test_extension_up_to_twelve_months_is_allowed(program):
    enrolment.check_extension(program, START, date(2026, 9, 1), date(2027, 3, 1))


def test_extension_beyond_twelve_months_is_refused(program):
    with pytest.raises(RuleViolation) as caught:
        enrolment.check_extension(program, START, date(2026, 9, 1), date(2027, 3, 2))
    assert render(caught.value.text) == (
        "En träningsplats kan pågå högst 12 månader totalt: senast möjliga avslut är 1 mars 2027."
    )
    assert caught.value.field == "new_end"


def test_an_extension_must_lengthen_the_placement(program):
    with pytest.raises(RuleViolation) as caught:
        enrolment.check_extension(program, START, date(2026, 9, 1), date(2026, 8, 1))
    assert render(caught.value.text) == (
        "En förlängning måste sluta efter nuvarande planerade avslut, 1 sep. 2026."
    )


def test_milestones_are_between_the_start_and_today():
    with pytest.raises(RuleViolation):
        enrolment.check_milestone_date(START, date(2026, 3, 1), date(2026, 4, 1), field="x")
    with pytest.raises(RuleViolation):
        enrolment.check_milestone_date(START, date(2026, 4, 2), date(2026, 4, 1), field="x")
    enrolment.check_milestone_date(START, START, START, field="x")


def test_goal_deadlines_are_four_and_ten_weeks():
    assert enrolment.assessment_plan_due(START) == date(2026, 3, 30)
    assert enrolment.workplace_training_due(START) == date(2026, 5, 11)


@pytest.mark.parametrize(
    ("start", "requested_on", "today", "says"),
    [
        (
            date(2026, 3, 10),
            date(2026, 3, 2),
            date(2026, 3, 9),
            "Datumet kan inte ligga i framtiden.",
        ),
        (
            date(2026, 3, 1),
            date(2026, 3, 2),
            date(2026, 3, 9),
            "Trepartssamtalet kan inte vara före det datum förfrågan skickades, 2 mars 2026.",
        ),
    ],
)
def test_the_start_date_rule_refuses_the_future_and_a_day_before_the_request(
    program, start, requested_on, today, says
):
    with pytest.raises(RuleViolation) as caught:
        enrolment.check_start(
            program, start, requested_on=requested_on, today=today, field="held_on"
        )
    assert render(caught.value.text) == says
    assert caught.value.field == "held_on"


def test_the_start_date_rule_refuses_a_day_before_the_program(program):
    before = program.start - timedelta(days=1)
    with pytest.raises(RuleViolation) as caught:
        enrolment.check_start(
            program, before, requested_on=before, today=program.start, field="corrected_on"
        )
    assert program.start == date(2026, 1, 1)
    assert render(caught.value.text) == (
        "Trepartssamtalet kan inte vara före det datum förfrågan skickades, 1 jan. 2026."
    )


def test_the_start_date_rule_accepts_the_day_the_request_was_sent(program):
    day = max(program.start, date(2026, 3, 2))
    enrolment.check_start(program, day, requested_on=day, today=day, field="held_on")
