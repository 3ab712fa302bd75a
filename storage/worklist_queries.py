"""What the worklists list, one query per kind of item (domain.deadlines.Task), each to be
counted and paged in SQL: codes, municipalities and dates only, never personal data.

Each query gives (referral id, reference code, municipality, the day the item counts from);
the bounds are the rules of domain.deadlines written as SQL, and the worklist's use case
(services.worklist) applies the rules again to each row it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select, text
from sqlalchemy.orm import Session

from domain.deadlines import ENDING_SOON, Task
from domain.enrolment import ASSESSMENT_PLAN_DEADLINE, WORKPLACE_TRAINING_DEADLINE
from domain.lifecycle import ReferralStatus
from domain.meetings import MeetingKind
from storage.models import (
    ALTERNATIVE_PLAN_MISSING,
    FINAL_REPORT_MISSING,
    Meeting,
    Municipality,
    Placement,
    PlacementRequest,
    Referral,
)

S = ReferralStatus


@dataclass(frozen=True)
class Scope:
    """Whose worklist: one municipality's, one investigator's, or everything (None)."""

    municipality_id: int | None = None
    investigator_id: int | None = None


def _base(anchor: Any, *joins: Any) -> Select[Any]:
    query = select(
        Referral.id.label("referral_id"),
        Referral.reference_code,
        Municipality.name.label("municipality"),
        anchor.label("anchor"),
    ).outerjoin(Municipality, Municipality.id == Referral.current_municipality_id)
    for target, on in joins:
        query = query.join(target, on)
    return query


def _placement() -> tuple[Any, Any]:
    return Placement, Placement.referral_id == Referral.id


def _follow_up(on: ColumnElement[bool]) -> tuple[Any, Any]:
    return Meeting, and_(
        Meeting.referral_id == Referral.id,
        Meeting.kind == MeetingKind.FOLLOW_UP,
        Meeting.held_on.is_(None),
        on,
    )


def _on_placement(condition: str) -> Any:
    """A partial index's condition as the query must repeat it, on the placement's columns."""
    return text(" AND ".join(f"placement.{term}" for term in condition.split(" AND ")))


def task_query(task: Task, today: date, horizon: date) -> tuple[Select[Any], list[Any]]:
    """The rows of one kind of item, and the conditions (on the referral and its placement)
    that select them: `today` and `horizon` (the last of the coming working days) bound it."""
    open_request = (
        PlacementRequest,
        and_(PlacementRequest.referral_id == Referral.id, PlacementRequest.answered_at.is_(None)),
    )
    if task is Task.ANSWER_REQUEST:
        return _base(PlacementRequest.asked_at, open_request), []
    if task is Task.REROUTE:
        declined = (
            PlacementRequest,
            and_(
                PlacementRequest.referral_id == Referral.id,
                PlacementRequest.municipality_id == Referral.current_municipality_id,
            ),
        )
        return _base(PlacementRequest.answered_at, declined), [Referral.status == S.DECLINED]
    if task in (Task.HOLD_MEETING, Task.RECORD_MEETING):
        when = (
            Placement.meeting_on.between(today, horizon)
            if task is Task.HOLD_MEETING
            else Placement.meeting_on < today
        )
        return _base(Placement.meeting_on, _placement()), [Referral.status == S.ACCEPTED, when]
    if task in (Task.FOLLOW_UP, Task.RECORD_FOLLOW_UP):
        when = Meeting.on.between(today, horizon) if task is Task.FOLLOW_UP else Meeting.on < today
        return _base(Meeting.on, _follow_up(when)), [Referral.status == S.STARTED]
    if task is Task.BOOK_FOLLOW_UP:
        booked = exists().where(
            Meeting.referral_id == Referral.id,
            Meeting.kind == MeetingKind.FOLLOW_UP,
            Meeting.held_on.is_(None),
            Meeting.on >= today,
        )
        return _base(Placement.started_on, _placement()), [Referral.status == S.STARTED, ~booked]
    if task in (Task.ASSESSMENT_PLAN, Task.WORKPLACE_TRAINING):
        deadline, done = (
            (ASSESSMENT_PLAN_DEADLINE, Placement.assessment_plan_on)
            if task is Task.ASSESSMENT_PLAN
            else (WORKPLACE_TRAINING_DEADLINE, Placement.workplace_training_on)
        )
        return _base(Placement.started_on, _placement()), [
            Referral.status == S.STARTED,
            done.is_(None),
            # Always so while running; said so that the partial index of running placements
            # missing the milestone is used, not every placement that ever missed it.
            Placement.ended_on.is_(None),
            Placement.started_on <= horizon - deadline,  # due by the horizon, or late
        ]
    if task is Task.ENDING:
        return _base(Placement.planned_end_on, _placement()), [
            Referral.status == S.STARTED,
            Placement.planned_end_on <= today + ENDING_SOON,
        ]
    if task is Task.FINAL_REPORT:  # every missing one, due or late
        return _base(Placement.ended_on, _placement()), [
            Referral.status == S.ENDED,
            _on_placement(FINAL_REPORT_MISSING),
        ]
    if task is Task.ALTERNATIVE_PLAN:  # ends that call for one (NEEDS_ALTERNATIVE_PLAN)
        return _base(Placement.ended_on, _placement()), [
            Referral.status == S.ENDED,
            _on_placement(ALTERNATIVE_PLAN_MISSING),
        ]
    raise AssertionError(task)


def _scoped(conditions: list[Any], scope: Scope) -> list[Any]:
    if scope.municipality_id is not None:
        conditions = [*conditions, Referral.current_municipality_id == scope.municipality_id]
    if scope.investigator_id is not None:
        conditions = [*conditions, Referral.investigator_id == scope.investigator_id]
    return conditions


def count(session: Session, task: Task, scope: Scope, today: date, horizon: date) -> int:
    query, conditions = task_query(task, today, horizon)
    counted = query.with_only_columns(func.count()).where(*_scoped(conditions, scope))
    return session.scalar(counted) or 0


def rows(
    session: Session,
    task: Task,
    scope: Scope,
    today: date,
    horizon: date,
    *,
    limit: int,
    offset: int,
) -> list[Any]:
    """(referral id, code, municipality, anchor) oldest first, one page of them."""
    query, conditions = task_query(task, today, horizon)
    query = (
        query.where(*_scoped(conditions, scope))
        .order_by(query.selected_columns.anchor, Referral.reference_code)
        .limit(limit)
        .offset(offset)
    )
    return list(session.execute(query))


def next_meetings(session: Session, referral_ids: list[int], today: date) -> dict[int, date]:
    """The next meeting not yet held of each referral (tripartite or follow-up)."""
    if not referral_ids:
        return {}
    query = (
        select(Meeting.referral_id, func.min(Meeting.on))
        .where(
            Meeting.referral_id.in_(referral_ids),
            Meeting.held_on.is_(None),
            Meeting.on >= today,
        )
        .group_by(Meeting.referral_id)
    )
    return {referral_id: on for referral_id, on in session.execute(query)}
