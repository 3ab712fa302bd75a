"""What the daily digest lists: open requests, booked meetings, placements behind schedule,
and the changes since the last digest. Each query answers for every municipality at once
(one pass for all channels), with the municipality's id on each row to split it by.
Codes, municipalities and dates only: nothing here reads the participant table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, literal, or_, select
from sqlalchemy.orm import Session

from domain.events import DIGEST_KINDS, NOT_NEWS
from domain.lifecycle import ReferralStatus
from storage.models import ChatOutbox, Event, Municipality, Placement, PlacementRequest, Referral


def _only(
    query: Select[*tuple[Any, ...]], column: Any, municipality_id: int | None
) -> Select[*tuple[Any, ...]]:
    return query if municipality_id is None else query.where(column == municipality_id)


def open_requests(session: Session, municipality_id: int | None = None) -> list[Any]:
    """Rows (reference_code, municipality, municipality_id, asked_at), oldest first."""
    query = (
        select(
            Referral.reference_code,
            Municipality.name.label("municipality"),
            PlacementRequest.municipality_id,
            PlacementRequest.asked_at,
        )
        .join(Referral, Referral.id == PlacementRequest.referral_id)
        .join(Municipality, Municipality.id == PlacementRequest.municipality_id)
        .where(PlacementRequest.answered_at.is_(None))
        .order_by(PlacementRequest.asked_at, Referral.reference_code)
    )
    return list(session.execute(_only(query, PlacementRequest.municipality_id, municipality_id)))


def _placements(municipality_id: int | None, *conditions: Any) -> Select[*tuple[Any, ...]]:
    query = (
        select(
            Referral.reference_code,
            Municipality.name.label("municipality"),
            Placement.municipality_id,
            Placement.meeting_on,
            Placement.started_on,
            Placement.planned_end_on,
            Placement.assessment_plan_on,
            Placement.workplace_training_on,
        )
        .join(Referral, Referral.id == Placement.referral_id)
        .join(Municipality, Municipality.id == Placement.municipality_id)
        .where(*conditions)
    )
    return _only(query, Placement.municipality_id, municipality_id)


def meetings_between(
    session: Session, first: date, last: date, municipality_id: int | None = None
) -> list[Any]:
    """Accepted placements whose tripartite meeting is booked in [first, last], by date."""
    query = _placements(
        municipality_id,
        Referral.status == ReferralStatus.ACCEPTED,
        Placement.meeting_on.between(first, last),
    ).order_by(Placement.meeting_on, Referral.reference_code)
    return list(session.execute(query))


def running_behind(
    session: Session,
    *,
    plan_started_before: date,
    training_started_before: date,
    ending_by: date,
    municipality_id: int | None = None,
) -> list[Any]:
    """Running placements with an assessment/plan or workplace training overdue, or whose
    planned end comes by `ending_by` (or has passed) without an end decision."""
    query = _placements(
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
    ).order_by(Referral.reference_code)
    return list(session.execute(query))


def change_moments(session: Session, since: datetime) -> list[tuple[int | None, datetime]]:
    """(municipality id, when) of every event after `since` that changes the picture (not
    logins and the like): a day's worth, split by each channel's own `since` in Python."""
    query = select(Event.municipality_id, Event.at).where(
        Event.at > since,
        or_(Event.referral_id.is_not(None), Event.kind.in_(sorted(DIGEST_KINDS))),
        Event.kind.not_in(sorted(NOT_NEWS)),
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def _latest_digest(channel: Any, today_key: str) -> Any:
    """When the channel's latest digest before today was made: the outbox key is
    digest:<channel>:<day>, so it is one probe of the key's unique index."""
    prefix = literal("digest:") + channel + literal(":")
    return (
        select(ChatOutbox.created_at)
        .where(ChatOutbox.key > prefix, ChatOutbox.key < prefix + literal(today_key))
        .order_by(ChatOutbox.key.desc())
        .limit(1)
        .scalar_subquery()
    )


def previous_digest_times(
    session: Session, today_key: str, coordinator_channel: str | None
) -> dict[str, datetime]:
    """Channel -> when its previous digest was made, for every municipality's channel (one
    statement) and the coordinator's."""
    channel = Municipality.slack_channel
    rows: list[tuple[str, datetime | None]] = [
        (row[0], row[1])
        for row in session.execute(
            select(channel, _latest_digest(channel, today_key)).where(channel.is_not(None))
        )
    ]
    if coordinator_channel:
        rows.append(
            (
                coordinator_channel,
                session.scalar(select(_latest_digest(literal(coordinator_channel), today_key))),
            )
        )
    return {name: at for name, at in rows if at is not None}
