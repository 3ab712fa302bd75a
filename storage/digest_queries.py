"""What the daily digest lists: open requests, booked meetings, placements behind schedule.
Codes, municipalities and dates only: nothing here reads the participant table."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from domain.events import DIGEST_KINDS, NOT_NEWS
from domain.lifecycle import ReferralStatus
from storage.models import Event, Municipality, Placement, PlacementRequest, Referral


def _only(query: Select, column, municipality_id: int | None) -> Select:  # noqa: ANN001
    return query if municipality_id is None else query.where(column == municipality_id)


def open_requests(session: Session, municipality_id: int | None) -> list[tuple[str, str, datetime]]:
    """(reference code, municipality, asked at), oldest first."""
    query = (
        select(Referral.reference_code, Municipality.name, PlacementRequest.asked_at)
        .join(Referral, Referral.id == PlacementRequest.referral_id)
        .join(Municipality, Municipality.id == PlacementRequest.municipality_id)
        .where(PlacementRequest.answered_at.is_(None))
        .order_by(PlacementRequest.asked_at, Referral.reference_code)
    )
    return [
        tuple(row)
        for row in session.execute(_only(query, PlacementRequest.municipality_id, municipality_id))
    ]


def _placements(session: Session, municipality_id: int | None, *conditions) -> Select:  # noqa: ANN002
    query = (
        select(Referral.reference_code, Municipality.name, Placement)
        .join(Referral, Referral.id == Placement.referral_id)
        .join(Municipality, Municipality.id == Placement.municipality_id)
        .where(*conditions)
        .order_by(Referral.reference_code)
    )
    return _only(query, Placement.municipality_id, municipality_id)


def meetings_between(
    session: Session, first: date, last: date, municipality_id: int | None
) -> list[tuple[str, str, Placement]]:
    """Accepted placements whose tripartite meeting is booked in [first, last]."""
    query = (
        _placements(
            session,
            municipality_id,
            Referral.status == ReferralStatus.ACCEPTED,
            Placement.meeting_on.between(first, last),
        )
        .order_by(None)
        .order_by(Placement.meeting_on, Referral.reference_code)
    )
    return [tuple(row) for row in session.execute(query)]


def running_behind(
    session: Session,
    *,
    plan_started_before: date,
    training_started_before: date,
    ending_by: date,
    municipality_id: int | None,
) -> list[tuple[str, str, Placement]]:
    """Running placements with an assessment/plan or workplace training overdue, or whose
    planned end comes by `ending_by` (or has passed) without an end decision."""
    query = _placements(
        session,
        municipality_id,
        Referral.status == ReferralStatus.STARTED,
        or_(
            and_(
                Placement.assessment_plan_on.is_(None), Placement.started_on < plan_started_before
            ),
            and_(
                Placement.workplace_training_on.is_(None),
                Placement.started_on < training_started_before,
            ),
            Placement.planned_end_on <= ending_by,
        ),
    )
    return [tuple(row) for row in session.execute(query)]


def changes_since(session: Session, since: datetime, municipality_id: int | None) -> int:
    """Events since `since` that change the picture (not logins and the like)."""
    query = (
        select(func.count())
        .select_from(Event)
        .where(
            Event.at > since,
            or_(Event.referral_id.is_not(None), Event.kind.in_(sorted(DIGEST_KINDS))),
            Event.kind.not_in(sorted(NOT_NEWS)),
        )
    )
    return session.scalar(_only(query, Event.municipality_id, municipality_id)) or 0
