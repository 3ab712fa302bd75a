"""Maintained figures: running totals of the placements, one per day of the program, from
which the budget and the goal indicators are read for any date in O(1) per municipality.

Every placement adds to the totals of every day from a key day on:
- from its start: `starts`, the milestones (`plans`, `plans_on_time`, `trainings`,
  `trainings_on_time`) and, when its end is known, `running_from` and `before_sum` (the
  compensable days of the program before its start);
- from its end for the budget (actual end, else planned end; never before the day before
  its start): `running_to` and `through_sum` (compensable days of the program through that
  end);
- from its actual end: `ends` and the outcomes.

So the compensable days of all placements from the program's start up to and including a
day T are `through_sum + through(T) × (running_from − running_to) − before_sum` at T, where
through(T) is the day index (domain.calendar): days accrue with the calendar, exactly,
without touching a single placement. The storage layer keeps the totals in the same
transaction as every change of a placement; this module is only the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import Any

from domain.enrolment import ASSESSMENT_PLAN_DEADLINE, WORKPLACE_TRAINING_DEADLINE


def accrued(
    through_sum: Any, through: Any, running_from: Any, running_to: Any, before_sum: Any
) -> Any:
    """Compensable days of every placement from the program's start through a day, from
    that day's running totals and day index: numbers, or the database's columns alike (the
    reports that want only this read it computed in the query, storage.figure_reads)."""
    return through_sum + through * (running_from - running_to) - before_sum


@dataclass(frozen=True)
class Tally:
    """The running totals at the end of one day (zero before the program starts)."""

    starts: int = 0
    plans: int = 0
    plans_on_time: int = 0
    trainings: int = 0
    trainings_on_time: int = 0
    running_from: int = 0
    before_sum: int = 0
    running_to: int = 0
    through_sum: int = 0
    ends: int = 0
    goal_outcomes: int = 0
    other_outcomes: int = 0
    alternative_plans: int = 0
    # The day index: compensable days of the program up to and including the day.
    through: int = 0

    @property
    def accrued_days(self) -> int:
        """Compensable days of every placement from the program's start through this day."""
        days: int = accrued(
            self.through_sum, self.through, self.running_from, self.running_to, self.before_sum
        )
        return days

    def __add__(self, other: Tally) -> Tally:
        """Totals of two sets of placements on the same day (the day index is shared)."""
        summed = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(Tally)}
        return replace(self, **summed, through=max(self.through, other.through))


ZERO = Tally()

# Counters, not the day index: what the storage layer keeps per municipality and day.
COUNTERS = tuple(f.name for f in fields(Tally) if f.name != "through")


def day_before(day: date) -> date:
    return day - timedelta(days=1)


@dataclass(frozen=True)
class IndicatorCounts:
    """What the four goal indicators are computed from (domain.indicators)."""

    plan_on_time: int
    plan_counted: int
    training_on_time: int
    training_counted: int
    goal_outcome: int
    ended: int
    alternative_plan: int
    other_ended: int


@dataclass(frozen=True)
class IndicatorDays:
    """The days whose tallies give the indicators of placements started (or ended) in
    [first, last], as known on `today` (see `indicator_days`)."""

    before_first: date
    last: date
    plan_due_by: date | None  # started on or before this day: the 4 weeks have passed
    training_due_by: date | None

    def all(self) -> set[date]:
        days = (self.before_first, self.last, self.plan_due_by, self.training_due_by)
        return {d for d in days if d is not None}


def indicator_days(first: date, last: date, today: date) -> IndicatorDays | None:
    """None when nothing in [first, last] can be counted yet (it starts after today)."""
    last = min(last, today)
    if last < first:
        return None

    def due_by(deadline: timedelta) -> date | None:
        # Due (and counted even without the step) once more than `deadline` has passed.
        day = min(last, today - deadline - timedelta(days=1))
        return day if day >= first else None

    return IndicatorDays(
        day_before(first),
        last,
        due_by(ASSESSMENT_PLAN_DEADLINE),
        due_by(WORKPLACE_TRAINING_DEADLINE),
    )


def indicator_counts(days: IndicatorDays | None, tally: dict[date, Tally]) -> IndicatorCounts:
    """Milestones of placements started in the period, outcomes of those that ended in it.
    A step not done counts only once it is due; a step done counts at once."""
    if days is None:
        return IndicatorCounts(0, 0, 0, 0, 0, 0, 0, 0)
    before, last = tally[days.before_first], tally[days.last]

    def between(name: str, end: Tally) -> int:
        return int(getattr(end, name)) - int(getattr(before, name))

    def not_done_but_due(done: str, due_by: date | None) -> int:
        if due_by is None:
            return 0
        due = tally[due_by]
        return between("starts", due) - between(done, due)

    return IndicatorCounts(
        plan_on_time=between("plans_on_time", last),
        plan_counted=between("plans", last) + not_done_but_due("plans", days.plan_due_by),
        training_on_time=between("trainings_on_time", last),
        training_counted=between("trainings", last)
        + not_done_but_due("trainings", days.training_due_by),
        goal_outcome=between("goal_outcomes", last),
        ended=between("ends", last),
        alternative_plan=between("alternative_plans", last),
        other_ended=between("other_outcomes", last),
    )
