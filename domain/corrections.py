"""Corrections (rättelser) of a placement's recorded dates, by its municipality, with a reason.

A correction gives the dates the placement would have had if the right date had been entered
the first time: moving the start moves the ordinary planned end with it (an extension keeps
the end that was decided), and every other recorded date must still fit. What is corrected
is kept in the history beside the original (services.placements records both).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain import enrolment
from domain.choices import Outcome
from domain.errors import RuleViolation
from domain.program import Program
from domain.text import N_, Text


class RecordedDate(StrEnum):
    """A recorded date that can be corrected; the values are the placement's columns."""

    STARTED = "started_on"
    ASSESSMENT_PLAN = "assessment_plan_on"
    WORKPLACE_TRAINING = "workplace_training_on"
    EXTENSION = "planned_end_on"
    ENDED = "ended_on"
    FINAL_REPORT = "final_report_on"


DATE_LABELS = {
    RecordedDate.STARTED: N_("Date of the tripartite meeting"),
    RecordedDate.ASSESSMENT_PLAN: N_("Date of the assessment and individual plan"),
    RecordedDate.WORKPLACE_TRAINING: N_("Start of the workplace training"),
    RecordedDate.EXTENSION: N_("End of the extension"),
    RecordedDate.ENDED: N_("End date"),
    RecordedDate.FINAL_REPORT: N_("Date the final report was received"),
}


class CorrectionReason(StrEnum):
    """Why a date is corrected: a fixed list, so that no free text reaches the history."""

    TYPING_ERROR = "typing_error"
    LATE_INFORMATION = "late_information"
    MOVED = "moved"


REASON_LABELS = {
    CorrectionReason.TYPING_ERROR: N_("The wrong date was entered by mistake"),
    CorrectionReason.LATE_INFORMATION: N_("We learned the right date afterwards"),
    CorrectionReason.MOVED: N_("It happened on another day than was recorded beforehand"),
}


@dataclass(frozen=True)
class PlacementDates:
    """A placement's dates as recorded, and what bounds them."""

    requested_on: date  # the request that became the placement was sent on this day
    started_on: date
    planned_end_on: date
    assessment_plan_on: date | None = None
    workplace_training_on: date | None = None
    ended_on: date | None = None
    outcome: Outcome | None = None
    alternative_plan_on: date | None = None
    final_report_on: date | None = None
    # The end before the latest extension; None when the placement was never extended.
    extended_from: date | None = None

    def value(self, field: RecordedDate) -> date | None:
        if field is RecordedDate.EXTENSION and self.extended_from is None:
            return None
        value: date | None = getattr(self, field.value)
        return value


def correctable(dates: PlacementDates) -> list[RecordedDate]:
    """The dates that are recorded, in the order they happen."""
    return [field for field in RecordedDate if dates.value(field) is not None]


def _must_fit(start: date, dates: PlacementDates, program: Program) -> None:
    """Every other recorded date still comes on or after a (new) start, within the limit."""
    for field in (
        RecordedDate.ASSESSMENT_PLAN,
        RecordedDate.WORKPLACE_TRAINING,
        RecordedDate.ENDED,
    ):
        other = dates.value(field)
        if other is not None and other < start:
            raise RuleViolation(
                N_(
                    "The start cannot be later than another recorded date: %(what)s, "
                    "%(date)s. Correct that date first, if it is also wrong."
                ),
                field="corrected_on",
                what=Text(DATE_LABELS[field]),
                date=other,
            )
    limit = enrolment.latest_end(program, start)
    latest = dates.ended_on or (dates.planned_end_on if dates.extended_from else None)
    if latest is not None and latest > limit:
        raise RuleViolation(
            N_(
                "With that start the placement would last longer than %(months)s months: it "
                "runs until %(date)s. Correct the end or the extension first."
            ),
            field="corrected_on",
            months=program.max_enrolment_months,
            date=latest,
        )


def corrected(
    dates: PlacementDates, field: RecordedDate, new: date, *, today: date, program: Program
) -> dict[str, date]:
    """The placement's dates that change when `field` is corrected to `new` (the corrected
    one and those that follow from it), or a RuleViolation saying why it cannot be."""
    try:
        return _corrected(dates, field, new, today=today, program=program)
    except RuleViolation as error:
        if error.field != "field":  # the enrolment rules name their own forms' fields
            error.field = "corrected_on"
        raise


def _corrected(
    dates: PlacementDates, field: RecordedDate, new: date, *, today: date, program: Program
) -> dict[str, date]:
    current = dates.value(field)
    if current is None:
        raise RuleViolation(
            N_("Only a date that has been recorded can be corrected."), field="field"
        )
    if new == current:
        raise RuleViolation(
            N_("The date is already %(date)s. Enter the right date."),
            field="corrected_on",
            date=current,
        )
    changes: dict[str, date] = {field.value: new}
    if field is RecordedDate.STARTED:
        enrolment.check_start(
            program, new, requested_on=dates.requested_on, today=today, field="corrected_on"
        )
        _must_fit(new, dates, program)
        if dates.extended_from is None:  # the ordinary end follows the start
            changes[RecordedDate.EXTENSION.value] = enrolment.planned_end(program, new)
    elif field is RecordedDate.EXTENSION:
        assert dates.extended_from is not None
        enrolment.check_extension(program, dates.started_on, dates.extended_from, new)
    elif field is RecordedDate.ENDED:
        enrolment.check_end(program, dates.started_on, new, today)
        if dates.final_report_on is not None and dates.final_report_on < new:
            raise RuleViolation(
                N_(
                    "The end cannot be after the final report was received on %(date)s. "
                    "Correct that date first, if it is also wrong."
                ),
                field="corrected_on",
                date=dates.final_report_on,
            )
        if dates.outcome is Outcome.ALTERNATIVE_PLAN and dates.alternative_plan_on == current:
            changes["alternative_plan_on"] = new  # recorded with the end, moves with it
    elif field is RecordedDate.FINAL_REPORT:
        assert dates.ended_on is not None
        enrolment.check_milestone_date(dates.ended_on, new, today, field="corrected_on")
    else:
        enrolment.check_milestone_date(dates.started_on, new, today, field="corrected_on")
    return changes
