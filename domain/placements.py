"""Use cases for a running placement: the tripartite meeting held (compensation starts),
milestones, extension, end with outcome, final report, and FK's alternative plan.

The municipality records what happens at its placement and has the final say on extension
and end; FK records the alternative plan for those who did not reach a goal outcome.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import enrolment, history
from domain.access import Actor, check_answers_for, check_follows_referral
from domain.choices import GOAL_OUTCOMES, Outcome
from domain.clock import local_date
from domain.errors import NotFound, RuleViolation
from domain.lifecycle import ReferralStatus, Transition
from domain.program_setup import current_program
from domain.referrals import facts_of, move_status
from domain.text import N_
from storage.models import Extension, Placement, Referral


def get_placement(session: Session, *, actor: Actor, referral_id: int) -> Placement:
    """The placement of a referral, for the contacts of its municipality."""
    placement = session.scalars(
        select(Placement).where(Placement.referral_id == referral_id)
    ).first()
    if placement is None or placement.referral.status is ReferralStatus.WITHDRAWN:
        raise NotFound(N_("There is no placement for that referral."))
    check_answers_for(actor, placement.municipality_id)
    return placement


def _require_status(placement: Placement, status: ReferralStatus, msgid: str) -> None:
    if placement.referral.status is not status:
        raise RuleViolation(msgid)


def _require_date(value: date | None, field: str) -> date:
    if value is None:
        raise RuleViolation(N_("Enter a date."), field=field)
    return value


def record_meeting_held(
    session: Session, *, actor: Actor, referral_id: int, held_on: date | None, now: datetime
) -> None:
    """The tripartite meeting was held: the placement starts and compensation with it."""
    placement = get_placement(session, actor=actor, referral_id=referral_id)
    program = current_program(session)
    held_on = _require_date(held_on, "held_on")
    today = local_date(now)
    asked_on = local_date(placement.referral.requests[-1].asked_at)
    if held_on > today:
        raise RuleViolation(N_("The date cannot be in the future."), field="held_on")
    if held_on < max(asked_on, program.start):
        raise RuleViolation(
            N_("The tripartite meeting cannot be before the request was sent, %(date)s."),
            field="held_on",
            date=max(asked_on, program.start),
        )
    move_status(session, placement.referral, Transition.START)
    placement.started_on = held_on
    placement.planned_end_on = enrolment.planned_end(program, held_on)
    history.record(
        session,
        kind="started",
        at=now,
        actor=actor,
        referral_id=referral_id,
        municipality_id=placement.municipality_id,
        started_on=held_on,
        planned_end_on=placement.planned_end_on,
    )


def _running(session: Session, actor: Actor, referral_id: int) -> Placement:
    placement = get_placement(session, actor=actor, referral_id=referral_id)
    _require_status(
        placement,
        ReferralStatus.STARTED,
        N_("This can only be recorded while the placement is running."),
    )
    return placement


def record_assessment_plan(
    session: Session, *, actor: Actor, referral_id: int, done_on: date | None, now: datetime
) -> None:
    placement = _running(session, actor, referral_id)
    done_on = _require_date(done_on, "done_on")
    enrolment.check_milestone_date(placement.started_on, done_on, local_date(now), field="done_on")
    placement.assessment_plan_on = done_on
    history.record(
        session,
        kind="assessment_plan",
        at=now,
        actor=actor,
        referral_id=referral_id,
        municipality_id=placement.municipality_id,
        done_on=done_on,
    )


def record_workplace_training(
    session: Session, *, actor: Actor, referral_id: int, started_on: date | None, now: datetime
) -> None:
    placement = _running(session, actor, referral_id)
    started_on = _require_date(started_on, "started_on")
    enrolment.check_milestone_date(
        placement.started_on, started_on, local_date(now), field="started_on"
    )
    placement.workplace_training_on = started_on
    history.record(
        session,
        kind="workplace_training",
        at=now,
        actor=actor,
        referral_id=referral_id,
        municipality_id=placement.municipality_id,
        started_on=started_on,
    )


def extend_placement(
    session: Session, *, actor: Actor, referral_id: int, new_end: date | None, now: datetime
) -> None:
    """Extension beyond the ordinary enrolment, never past the maximum from the start."""
    placement = _running(session, actor, referral_id)
    new_end = _require_date(new_end, "new_end")
    enrolment.check_extension(
        current_program(session), placement.started_on, placement.planned_end_on, new_end
    )
    session.add(
        Extension(
            placement=placement,
            decided_at=now,
            decided_by_id=actor.user_id,
            previous_end_on=placement.planned_end_on,
            new_end_on=new_end,
        )
    )
    previous = placement.planned_end_on
    placement.planned_end_on = new_end
    history.record(
        session,
        kind="extended",
        at=now,
        actor=actor,
        referral_id=referral_id,
        municipality_id=placement.municipality_id,
        previous_end_on=previous,
        new_end_on=new_end,
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
    placement = _running(session, actor, referral_id)
    ended_on = _require_date(ended_on, "end_date")
    if not isinstance(outcome, Outcome):
        raise RuleViolation(N_("Choose the outcome of the placement."), field="outcome")
    enrolment.check_end(current_program(session), placement.started_on, ended_on, local_date(now))
    move_status(session, placement.referral, Transition.END)
    placement.ended_on = ended_on
    placement.outcome = outcome
    if outcome is Outcome.ALTERNATIVE_PLAN:
        placement.alternative_plan_on = ended_on
    history.record(
        session,
        kind="ended",
        at=now,
        actor=actor,
        referral_id=referral_id,
        municipality_id=placement.municipality_id,
        ended_on=ended_on,
        outcome=outcome.value,
    )


def record_final_report(
    session: Session, *, actor: Actor, referral_id: int, received_on: date | None, now: datetime
) -> None:
    placement = get_placement(session, actor=actor, referral_id=referral_id)
    _require_status(
        placement,
        ReferralStatus.ENDED,
        N_("The final report is recorded after the placement has ended."),
    )
    received_on = _require_date(received_on, "received_on")
    enrolment.check_milestone_date(
        placement.ended_on, received_on, local_date(now), field="received_on"
    )
    placement.final_report_on = received_on
    history.record(
        session,
        kind="final_report",
        at=now,
        actor=actor,
        referral_id=referral_id,
        municipality_id=placement.municipality_id,
        received_on=received_on,
    )


def record_alternative_plan(
    session: Session, *, actor: Actor, referral_id: int, planned_on: date | None, now: datetime
) -> None:
    """FK's alternative plan for an ended participant who did not reach a goal outcome."""
    referral = session.get(Referral, referral_id)
    if referral is None or referral.placement is None:
        raise NotFound(N_("There is no placement for that referral."))
    check_follows_referral(actor, facts_of(referral))
    placement = referral.placement
    if referral.status is not ReferralStatus.ENDED or placement.outcome in GOAL_OUTCOMES:
        raise RuleViolation(
            N_(
                "An alternative plan is recorded for a participant who ended without work, "
                "studies or rehabilitation collaboration."
            )
        )
    planned_on = _require_date(planned_on, "planned_on")
    enrolment.check_milestone_date(
        placement.started_on, planned_on, local_date(now), field="planned_on"
    )
    placement.alternative_plan_on = planned_on
    history.record(
        session,
        kind="alternative_plan",
        at=now,
        actor=actor,
        referral_id=referral_id,
        planned_on=planned_on,
    )
