"""Enrolment time and milestones of one placement, counted from the tripartite meeting.

Enrolment is 6 months from the start; an extension may take it to 12 months in total, never
more. Assessment and individual plan are due within 4 weeks, workplace training within 10.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from domain.errors import RuleViolation
from domain.program import Program
from domain.text import N_

ASSESSMENT_PLAN_DEADLINE = timedelta(weeks=4)
WORKPLACE_TRAINING_DEADLINE = timedelta(weeks=10)


# A budget forecast asks this of the same few meeting days on every answer; relativedelta
# costs ~15 µs a call.
@lru_cache(maxsize=4096)
def months_from(start: date, months: int) -> date:
    """The last day of a period of `months` months starting on `start` (inclusive)."""
    return start + relativedelta(months=months) - timedelta(days=1)


def planned_end(program: Program, start: date) -> date:
    return months_from(start, program.enrolment_months)


def latest_end(program: Program, start: date) -> date:
    return months_from(start, program.max_enrolment_months)


def check_not_before_request(day: date, earliest: date, *, field: str) -> None:
    """The tripartite meeting is not before its request was sent; `earliest` is that day (for
    a start, the later of it and the program's first day)."""
    if day < earliest:
        raise RuleViolation(
            N_("The tripartite meeting cannot be before the request was sent, %(date)s."),
            field=field,
            date=earliest,
        )


def check_start(
    program: Program, start: date, *, requested_on: date, today: date, field: str
) -> None:
    """The start-date rule, for recording a start and for correcting it: a placement starts
    on the day its tripartite meeting was held, which is not in the future, not before the
    request was sent and not before the program."""
    if start > today:
        raise RuleViolation(N_("The date cannot be in the future."), field=field)
    check_not_before_request(start, max(requested_on, program.start), field=field)


def check_extension(program: Program, start: date, current_end: date, new_end: date) -> None:
    if new_end <= current_end:
        raise RuleViolation(
            N_("An extension must end after the current planned end, %(date)s."),
            field="new_end",
            date=current_end,
        )
    limit = latest_end(program, start)
    if new_end > limit:
        raise RuleViolation(
            N_(
                "A placement can last at most %(months)s months in total: the latest possible "
                "end is %(date)s."
            ),
            field="new_end",
            months=program.max_enrolment_months,
            date=limit,
        )


def check_milestone_date(start: date, on: date, today: date, *, field: str) -> None:
    """A milestone happens on or after the tripartite meeting, and not in the future."""
    if on < start:
        raise RuleViolation(
            N_("The date cannot be before the tripartite meeting on %(date)s."),
            field=field,
            date=start,
        )
    if on > today:
        raise RuleViolation(N_("The date cannot be in the future."), field=field)


def check_end(program: Program, start: date, end: date, today: date) -> None:
    check_milestone_date(start, end, today, field="end_date")
    limit = latest_end(program, start)
    if end > limit:
        raise RuleViolation(
            N_("The end date cannot be after the latest possible end, %(date)s."),
            field="end_date",
            date=limit,
        )


def assessment_plan_due(start: date) -> date:
    return start + ASSESSMENT_PLAN_DEADLINE


def workplace_training_due(start: date) -> date:
    return start + WORKPLACE_TRAINING_DEADLINE
