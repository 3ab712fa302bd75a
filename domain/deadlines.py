"""What is late, and what is due soon: one definition for the daily digest, the worklists
and the Home tab.

- a request is late after `overdue_after_working_days` working days without an answer;
- a running placement slips when its assessment and plan is not done 4 weeks after the start,
  its workplace training has not started by week 10, or its planned end comes within 30 days
  (or has passed) without an extension or an end decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain import enrolment
from domain.calendar import working_days_between
from domain.text import N_

ENDING_SOON = timedelta(days=30)


@dataclass(frozen=True)
class DeadlineSettings:
    """How long to wait and how far ahead to look, in working days (settings of the digest)."""

    overdue_after_working_days: int = 2
    meetings_within_working_days: int = 5


def request_age(asked_on: date, today: date) -> int:
    """Working days a request has waited for its answer."""
    return working_days_between(asked_on, today)


def request_overdue(age_in_working_days: int, settings: DeadlineSettings) -> bool:
    return age_in_working_days > settings.overdue_after_working_days


class Slip(StrEnum):
    ASSESSMENT_PLAN = "assessment_plan"
    WORKPLACE_TRAINING = "workplace_training"
    ENDING = "ending"


SLIP_LABELS = {
    Slip.ASSESSMENT_PLAN: N_("Assessment and plan late (due %(date)s)"),
    Slip.WORKPLACE_TRAINING: N_("Workplace training not started (due %(date)s)"),
    Slip.ENDING: N_("Planned end %(date)s without an extension or end decision"),
}


@dataclass(frozen=True)
class Slipping:
    slip: Slip
    due_on: date


def slips(
    *,
    started_on: date,
    planned_end_on: date,
    assessment_plan_on: date | None,
    workplace_training_on: date | None,
    today: date,
) -> list[Slipping]:
    """How one running placement is behind schedule today (empty when it is not)."""
    found = []
    plan_due = enrolment.assessment_plan_due(started_on)
    if assessment_plan_on is None and plan_due < today:
        found.append(Slipping(Slip.ASSESSMENT_PLAN, plan_due))
    training_due = enrolment.workplace_training_due(started_on)
    if workplace_training_on is None and training_due < today:
        found.append(Slipping(Slip.WORKPLACE_TRAINING, training_due))
    if planned_end_on <= today + ENDING_SOON:
        found.append(Slipping(Slip.ENDING, planned_end_on))
    return found


def slip_window(today: date) -> tuple[date, date, date]:
    """Bounds for finding candidates in the database: placements started before the first
    date lack a plan in time, before the second lack training in time, and those ending by
    the third are ending soon. `slips` decides; these only narrow the search."""
    return (
        today - enrolment.ASSESSMENT_PLAN_DEADLINE,
        today - enrolment.WORKPLACE_TRAINING_DEADLINE,
        today + ENDING_SOON,
    )
