"""Use cases for a running placement: the tripartite meeting held (compensation starts),
milestones, extension, end with outcome, final report, and FK's alternative plan.

The municipality records what happens at its placement and has the final say on extension
and end; FK records the alternative plan for those who did not reach a goal outcome. Each
use case first asks the same rule the page used to offer the action (domain.actions): what
was recorded once is not recorded again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import enrolment
from domain.access import Actor
from domain.actions import Action
from domain.choices import Outcome
from domain.clock import local_date
from domain.corrections import CorrectionReason, PlacementDates, RecordedDate, corrected
from domain.errors import NotFound, RuleViolation
from domain.events import DomainEvent, EventKind
from domain.lifecycle import Transition
from domain.text import N_
from domain.typed_events import (
    AlternativePlanMade,
    AssessmentPlanDone,
    DateCorrected,
    FinalReportReceived,
    PlacementEnded,
    PlacementExtended,
    PlacementStarted,
    WorkplaceTrainingStarted,
)
from services import history, meetings
from services.program_setup import current_program
from services.referrals import check_action, move_status
from storage import queries
from storage.models import Extension, Placement


def _placement(
    session: Session, *, actor: Actor, referral_id: int, action: Action, now: datetime
) -> Placement:
    """The referral's placement, once the action is the actor's and possible now. The
    referral is locked first, so of two changes at once the second sees the first's result
    (a milestone recorded, an extension decided) and is refused as the page would be."""
    referral = queries.lock_referral(session, referral_id)
    placement = session.scalars(
        select(Placement)
        .where(Placement.referral_id == referral_id)
        .execution_options(populate_existing=True)
    ).first()
    if referral is None or placement is None:
        raise NotFound(N_("There is no placement for that referral."))
    check_action(session, actor=actor, referral=referral, action=action, now=now)
    return placement


def set_dates(session: Session, placement: Placement, **dates: date | None) -> None:
    """Every change of a placement's dates goes through here: recording them, extending,
    ending and correcting. It is the one place that figures kept up to date with the dates
    (the budget's, for one) can follow."""
    for name, value in dates.items():
        setattr(placement, name, value)
    session.flush()


def _require_date(value: date | None, field: str) -> date:
    if value is None:
        raise RuleViolation(N_("Enter a date."), field=field)
    return value


class _PlacementFields(TypedDict):
    referral_id: int
    municipality_id: int


def _about(placement: Placement) -> _PlacementFields:
    return _PlacementFields(
        referral_id=placement.referral_id, municipality_id=placement.municipality_id
    )


def record_meeting_held(
    session: Session, *, actor: Actor, referral_id: int, held_on: date | None, now: datetime
) -> None:
    """The tripartite meeting was held: the placement starts and compensation with it."""
    placement = _placement(
        session, actor=actor, referral_id=referral_id, action=Action.MEETING_HELD, now=now
    )
    program = current_program(session)
    held_on = _require_date(held_on, "held_on")
    today = local_date(now)
    asked_on = local_date(placement.referral.requests[-1].asked_at)
    enrolment.check_start(program, held_on, requested_on=asked_on, today=today, field="held_on")
    move_status(session, placement.referral, Transition.START)
    tripartite = meetings.tripartite_of(session, placement.referral_id)
    if tripartite is not None:
        tripartite.held_on = held_on
    set_dates(
        session,
        placement,
        started_on=held_on,
        planned_end_on=enrolment.planned_end(program, held_on),
    )
    history.record(
        session,
        PlacementStarted(
            **_about(placement), started_on=held_on, planned_end_on=placement.planned_end_on
        ),
        at=now,
        actor=actor,
    )


def _started_on(placement: Placement) -> date:
    if placement.started_on is None:  # a running placement always has its start
        raise RuleViolation(N_("This can only be recorded while the placement is running."))
    return placement.started_on


def record_assessment_plan(
    session: Session, *, actor: Actor, referral_id: int, done_on: date | None, now: datetime
) -> None:
    _record_milestone(session, actor, referral_id, Action.ASSESSMENT_PLAN, "done_on", done_on, now)


def record_workplace_training(
    session: Session, *, actor: Actor, referral_id: int, started_on: date | None, now: datetime
) -> None:
    _record_milestone(
        session, actor, referral_id, Action.WORKPLACE_TRAINING, "started_on", started_on, now
    )


# Each milestone: the event it writes and the placement's date it sets.
_MILESTONES = {
    Action.ASSESSMENT_PLAN: (EventKind.ASSESSMENT_PLAN, "assessment_plan_on"),
    Action.WORKPLACE_TRAINING: (EventKind.WORKPLACE_TRAINING, "workplace_training_on"),
}


def _record_milestone(
    session: Session,
    actor: Actor,
    referral_id: int,
    action: Action,
    field: str,
    day: date | None,
    now: datetime,
) -> None:
    """A milestone of a running placement, on a day between its start and today."""
    kind, column = _MILESTONES[action]
    placement = _placement(session, actor=actor, referral_id=referral_id, action=action, now=now)
    day = _require_date(day, field)
    enrolment.check_milestone_date(_started_on(placement), day, local_date(now), field=field)
    set_dates(session, placement, **{column: day})
    milestone: DomainEvent = (
        AssessmentPlanDone(**_about(placement), done_on=day)
        if kind is EventKind.ASSESSMENT_PLAN
        else WorkplaceTrainingStarted(**_about(placement), started_on=day)
    )
    history.record(session, milestone, at=now, actor=actor)


def extend_placement(
    session: Session, *, actor: Actor, referral_id: int, new_end: date | None, now: datetime
) -> None:
    """Extension beyond the ordinary enrolment, never past the maximum from the start."""
    placement = _placement(
        session, actor=actor, referral_id=referral_id, action=Action.EXTEND, now=now
    )
    new_end = _require_date(new_end, "new_end")
    previous = placement.planned_end_on
    assert previous is not None  # set when the placement started
    enrolment.check_extension(current_program(session), _started_on(placement), previous, new_end)
    session.add(
        Extension(
            placement=placement,
            decided_at=now,
            decided_by_id=actor.user_id,
            previous_end_on=previous,
            new_end_on=new_end,
        )
    )
    set_dates(session, placement, planned_end_on=new_end)
    history.record(
        session,
        PlacementExtended(**_about(placement), previous_end_on=previous, new_end_on=new_end),
        at=now,
        actor=actor,
    )


def end_placement(
    session: Session,
    *,
    actor: Actor,
    referral_id: int,
    ended_on: date | None,
    outcome: Outcome | None,
    now: datetime,
) -> None:
    """The participant ends: compensation stops on the end date (inclusive)."""
    placement = _placement(
        session, actor=actor, referral_id=referral_id, action=Action.END, now=now
    )
    ended_on = _require_date(ended_on, "end_date")
    if not isinstance(outcome, Outcome):
        raise RuleViolation(N_("Choose the outcome of the placement."), field="outcome")
    enrolment.check_end(current_program(session), _started_on(placement), ended_on, local_date(now))
    move_status(session, placement.referral, Transition.END)
    placement.outcome = outcome
    set_dates(
        session,
        placement,
        ended_on=ended_on,
        **({"alternative_plan_on": ended_on} if outcome is Outcome.ALTERNATIVE_PLAN else {}),
    )
    history.record(
        session,
        PlacementEnded(**_about(placement), ended_on=ended_on, outcome=outcome.value),
        at=now,
        actor=actor,
    )


def record_final_report(
    session: Session, *, actor: Actor, referral_id: int, received_on: date | None, now: datetime
) -> None:
    placement = _placement(
        session, actor=actor, referral_id=referral_id, action=Action.FINAL_REPORT, now=now
    )
    received_on = _require_date(received_on, "received_on")
    assert placement.ended_on is not None  # an ended placement has its end date
    enrolment.check_milestone_date(
        placement.ended_on, received_on, local_date(now), field="received_on"
    )
    set_dates(session, placement, final_report_on=received_on)
    history.record(
        session,
        FinalReportReceived(**_about(placement), received_on=received_on),
        at=now,
        actor=actor,
    )


def record_alternative_plan(
    session: Session, *, actor: Actor, referral_id: int, planned_on: date | None, now: datetime
) -> None:
    """FK's alternative plan for an ended participant who did not reach a goal outcome."""
    placement = _placement(
        session, actor=actor, referral_id=referral_id, action=Action.ALTERNATIVE_PLAN, now=now
    )
    planned_on = _require_date(planned_on, "planned_on")
    enrolment.check_milestone_date(
        _started_on(placement), planned_on, local_date(now), field="planned_on"
    )
    set_dates(session, placement, alternative_plan_on=planned_on)
    history.record(
        session,
        AlternativePlanMade(referral_id=referral_id, planned_on=planned_on),
        at=now,
        actor=actor,
    )


def recorded_dates(placement: Placement) -> PlacementDates:
    """The placement's dates as the correction rules see them (a started placement)."""
    assert placement.started_on is not None and placement.planned_end_on is not None
    request = next(r for r in placement.referral.requests if r.id == placement.request_id)
    last = placement.extensions[-1] if placement.extensions else None
    return PlacementDates(
        requested_on=local_date(request.asked_at),
        started_on=placement.started_on,
        planned_end_on=placement.planned_end_on,
        assessment_plan_on=placement.assessment_plan_on,
        workplace_training_on=placement.workplace_training_on,
        ended_on=placement.ended_on,
        outcome=placement.outcome,
        alternative_plan_on=placement.alternative_plan_on,
        final_report_on=placement.final_report_on,
        extended_from=last.previous_end_on if last else None,
    )


def correct_date(
    session: Session,
    *,
    actor: Actor,
    referral_id: int,
    field: RecordedDate | None,
    corrected_on: date | None,
    reason: CorrectionReason | None,
    now: datetime,
) -> dict[str, date]:
    """The municipality corrects a recorded date, with a reason. The placement gets the
    dates it would have had if the right one had been entered first (domain.corrections);
    the history keeps the original beside the correction, with who and when."""
    placement = _placement(
        session, actor=actor, referral_id=referral_id, action=Action.CORRECT_DATE, now=now
    )
    if not isinstance(field, RecordedDate):
        raise RuleViolation(N_("Choose the date to correct."), field="field")
    corrected_on = _require_date(corrected_on, "corrected_on")
    if not isinstance(reason, CorrectionReason):
        raise RuleViolation(N_("Choose why the date is corrected."), field="reason")
    dates = recorded_dates(placement)
    previous = dates.value(field)
    changes = corrected(
        dates, field, corrected_on, today=local_date(now), program=current_program(session)
    )
    before = {name: getattr(placement, name) for name in changes}
    set_dates(session, placement, **changes)
    if field is RecordedDate.EXTENSION:  # the extension decided is what was corrected
        placement.extensions[-1].new_end_on = corrected_on
    correction = DateCorrected(
        **_about(placement),
        field=field.value,
        previous=previous,
        corrected=corrected_on,
        reason=reason.value,
        # What moved with it (e.g. the ordinary planned end with the start).
        also={
            name: [before[name].isoformat() if before[name] else None, value.isoformat()]
            for name, value in changes.items()
            if name != field.value
        },
    )
    history.record(session, correction, at=now, actor=actor)
    return changes
