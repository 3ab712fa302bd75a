"""The append-only event log: every state change, who and when. Codes, dates and choices
only: free text (comments, needs) never goes in here, so the log survives purging."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from domain.access import Actor
from domain.events import EventKind
from storage import trail
from storage.models import Event


def record(
    session: Session,
    *,
    kind: EventKind,
    at: datetime,
    actor: Actor | None,
    referral_id: int | None = None,
    municipality_id: int | None = None,
    subject_user_id: int | None = None,
    **details: Any,
) -> Event:
    entry = Event(
        kind=kind,
        at=at,
        actor_id=actor.user_id if actor else None,
        referral_id=referral_id,
        municipality_id=municipality_id,
        subject_user_id=subject_user_id,
        details={k: v.isoformat() if isinstance(v, date) else v for k, v in details.items()},
    )
    trail.seal(session, entry)  # its place and hash in the history's chain
    session.add(entry)
    return entry


def history_of(session: Session, referral_id: int) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .where(Event.referral_id == referral_id)
            .options(selectinload(Event.actor))
            .order_by(Event.at, Event.id)
        )
    )
