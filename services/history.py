"""The append-only event log: every state change, who and when. Codes, dates and choices
only: free text (comments, needs) never goes in here, so the log survives purging.

`record` keeps one typed event (domain.events) and publishes it to its subscribers
(notices.bus.publish), in the same transaction: what follows from it is queued or nothing is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from domain.access import Actor
from domain.events import DomainEvent
from notices import bus
from storage.models import Event


def record(session: Session, event: DomainEvent, *, at: datetime, actor: Actor | None) -> Event:
    entry = Event(
        kind=event.kind,
        at=at,
        actor_id=actor.user_id if actor else None,
        referral_id=event.referral_id,
        municipality_id=event.municipality_id,
        subject_user_id=event.subject_user_id,
        details=event.details(),
    )
    session.add(entry)
    bus.publish(session, event)
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
