"""What is late, and what is due soon: one definition for the daily digest, the worklists
and the Home tab.

- a request is late after `overdue_after_working_days` working days without an answer;
- a running placement slips when its assessment and plan is not done 4 weeks after the start,
  its workplace training has not started by week 10, or its planned end comes within 30 days
  (or has passed) without an extension or an end decision.

The worklists ("Att göra") add what the digest does not list: meetings to record as held
or to book, milestones due in the coming working days, final reports and alternative plans
missing, and declined referrals to send on. `Task` names each kind of item; `in_digest`
says which of them the digest lists too, so the two can be checked against each other.

Requisition bases are items too, one municipality's period each (`requisition_task`): the
municipality submits an ended period (due `requisition_due` working days after it) or a
returned basis, the coordinator attests, the association pays. The worklists, their counts,
the Home tab and the digest all take them from that one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain import enrolment
from domain.calendar import add_working_days, working_days_between
from domain.requisition import State
from domain.text import N_

ENDING_SOON = timedelta(days=30)
# Not in the process description; the program's practice: the municipality's final report
# within 30 days of the end, FK's alternative plan within 14 days of it.
FINAL_REPORT_WITHIN = timedelta(days=30)
ALTERNATIVE_PLAN_WITHIN = timedelta(days=14)


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


def horizon(today: date, settings: DeadlineSettings) -> date:
    """The last day of "the coming working days": meetings and milestones due by then."""
    return add_working_days(today, settings.meetings_within_working_days)


class Task(StrEnum):
    """A kind of item on a worklist: what someone has to do about one referral."""

    ANSWER_REQUEST = "answer_request"  # the municipality answers a request
    REROUTE = "reroute"  # FK asks another municipality after a decline, or withdraws
    RECORD_MEETING = "record_meeting"  # the tripartite meeting's day has passed
    HOLD_MEETING = "hold_meeting"  # the tripartite meeting in the coming working days
    RECORD_FOLLOW_UP = "record_follow_up"  # a follow-up's day has passed
    FOLLOW_UP = "follow_up"  # a follow-up meeting in the coming working days
    ASSESSMENT_PLAN = "assessment_plan"  # due in the coming working days, or late
    WORKPLACE_TRAINING = "workplace_training"  # due in the coming working days, or late
    ENDING = "ending"  # planned end within 30 days (or passed) without a decision
    BOOK_FOLLOW_UP = "book_follow_up"  # running, and no follow-up meeting booked
    FINAL_REPORT = "final_report"  # ended without the final report
    ALTERNATIVE_PLAN = "alternative_plan"  # ended without a goal outcome or FK's plan
    # Requisition bases (domain.requisition), one municipality's period each:
    SUBMIT_REQUISITION = "submit_requisition"  # the period ended and is not submitted
    RESUBMIT_REQUISITION = "resubmit_requisition"  # returned by the coordinator
    ATTEST_REQUISITION = "attest_requisition"  # submitted, waiting for the coordinator
    PAY_REQUISITION = "pay_requisition"  # attested, waiting for the association


MUNICIPALITY_TASKS = (
    Task.ANSWER_REQUEST,
    Task.RECORD_MEETING,
    Task.HOLD_MEETING,
    Task.RECORD_FOLLOW_UP,
    Task.FOLLOW_UP,
    Task.ASSESSMENT_PLAN,
    Task.WORKPLACE_TRAINING,
    Task.ENDING,
    Task.FINAL_REPORT,
    Task.BOOK_FOLLOW_UP,
    Task.RESUBMIT_REQUISITION,
    Task.SUBMIT_REQUISITION,
)
INVESTIGATOR_TASKS = (
    Task.REROUTE,
    Task.ALTERNATIVE_PLAN,
    Task.ANSWER_REQUEST,
    Task.HOLD_MEETING,
    Task.FOLLOW_UP,
)
REQUISITION_TASKS = (
    Task.SUBMIT_REQUISITION,
    Task.RESUBMIT_REQUISITION,
    Task.ATTEST_REQUISITION,
    Task.PAY_REQUISITION,
)
# The coordinator follows every referral, and attests; the municipality's own requisition
# work is theirs, the payment the association's.
COORDINATOR_TASKS = tuple(
    t for t in Task if t not in REQUISITION_TASKS or t is Task.ATTEST_REQUISITION
)
ASSOCIATION_TASKS = (Task.PAY_REQUISITION,)

TASK_LABELS = {
    Task.ANSWER_REQUEST: N_("Requests waiting for an answer"),
    Task.REROUTE: N_("Declined: ask another municipality or withdraw"),
    Task.RECORD_MEETING: N_("Tripartite meetings to record as held"),
    Task.HOLD_MEETING: N_("Tripartite meetings in the coming working days"),
    Task.RECORD_FOLLOW_UP: N_("Follow-up meetings to record as held"),
    Task.FOLLOW_UP: N_("Follow-up meetings in the coming working days"),
    Task.ASSESSMENT_PLAN: N_("Assessment and individual plan (4 weeks)"),
    Task.WORKPLACE_TRAINING: N_("Workplace training (10 weeks)"),
    Task.ENDING: N_("Planned end approaching without a decision"),
    Task.BOOK_FOLLOW_UP: N_("Running placements with no follow-up meeting booked"),
    Task.FINAL_REPORT: N_("Final reports missing"),
    Task.ALTERNATIVE_PLAN: N_("Alternative plans to make"),
    Task.SUBMIT_REQUISITION: N_("Requisition bases to submit"),
    Task.RESUBMIT_REQUISITION: N_("Requisition bases returned for correction"),
    Task.ATTEST_REQUISITION: N_("Requisition bases waiting for attestation"),
    Task.PAY_REQUISITION: N_("Requisition bases waiting for payment"),
}


def requisition_task(state: State, *, ended: bool, days: int) -> Task | None:
    """Whose move a municipality's basis for one period waits for, as a kind of worklist item
    (None: nobody's). The one rule for the worklists, their counts, the Home tab and the
    digest: an ended period with days not submitted, or one sent back, is the municipality's;
    a submitted basis the coordinator's; an attested one the association's."""
    if state is State.RETURNED:
        return Task.RESUBMIT_REQUISITION
    if state is State.DRAFT:
        return Task.SUBMIT_REQUISITION if ended and days > 0 else None
    if state is State.SUBMITTED:
        return Task.ATTEST_REQUISITION
    if state is State.ATTESTED:
        return Task.PAY_REQUISITION
    return None


def requisition_due(period_last: date, working_days: int) -> date:
    """The day a period's basis is due: `working_days` working days after the period."""
    return add_working_days(period_last, working_days)


def due_on(task: Task, anchor: date) -> date:
    """The day an item is due, from the day it counts from (start, end, meeting …)."""
    if task is Task.ASSESSMENT_PLAN:
        return enrolment.assessment_plan_due(anchor)
    if task is Task.WORKPLACE_TRAINING:
        return enrolment.workplace_training_due(anchor)
    if task is Task.FINAL_REPORT:
        return anchor + FINAL_REPORT_WITHIN
    if task is Task.ALTERNATIVE_PLAN:
        return anchor + ALTERNATIVE_PLAN_WITHIN
    return anchor


def is_late(task: Task, on: date, today: date, settings: DeadlineSettings) -> bool:
    """Whether an item is late today; `on` is its due date (the asked date for a request)."""
    if task is Task.ANSWER_REQUEST:
        return request_overdue(request_age(on, today), settings)
    if task in (Task.RECORD_MEETING, Task.RECORD_FOLLOW_UP):
        return True  # the day has passed
    if task in (Task.HOLD_MEETING, Task.FOLLOW_UP, Task.BOOK_FOLLOW_UP, Task.REROUTE):
        return False
    if task in (Task.ATTEST_REQUISITION, Task.PAY_REQUISITION, Task.RESUBMIT_REQUISITION):
        return False  # no deadline of their own: the age is shown
    return on < today


_SLIPS = {
    Task.ASSESSMENT_PLAN: Slip.ASSESSMENT_PLAN,
    Task.WORKPLACE_TRAINING: Slip.WORKPLACE_TRAINING,
    Task.ENDING: Slip.ENDING,
}


def in_digest(task: Task, late: bool) -> str | None:
    """Under which of its lists the daily digest shows such an item too ("waiting",
    "meetings", or a Slip's value under "late"), or None when only the worklist does."""
    if task is Task.ANSWER_REQUEST:
        return "waiting"
    if task is Task.HOLD_MEETING:
        return "meetings"
    if task is Task.ENDING or (task in _SLIPS and late):
        return _SLIPS[task].value
    return None
