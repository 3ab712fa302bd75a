"""Webhooks (issue 26): each event a receiver follows is queued for it in the outbox, in the
transaction of the change, as one row per receiver and event (the key says which, so it is
queued once); the outbox's webhook transport (transports.webhook_sender) signs and delivers it.

Unlike the chat notices this needs no chat outlet: a site without Slack, Matrix or e-mail
still tells its receivers. The process that delivers attaches itself to the session
factory (`attach`: the web site, the chat bot); after the commit it is handed what was
queued. A delivery carries codes, states, dates and the municipality only
(domain.webhooks.payload)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.delivery import OutboxAction, OutboxState, Transport
from domain.events import DomainEvent, EventKind
from domain.webhooks import WEBHOOK_EVENTS, payload
from notices.outlets import Outlets, logged_of
from storage.db import after_commit
from storage.models import ChatOutbox, Event, Municipality, Referral, WebhookSubscription

DELIVERER_IN_SESSION = "mm.notices.webhooks"
# The date a delivery gives for each kind of event (the event's own field).
DATE_OF = {
    EventKind.ACCEPTED: "meeting_on",
    EventKind.STARTED: "started_on",
    EventKind.ASSESSMENT_PLAN: "done_on",
    EventKind.WORKPLACE_TRAINING: "started_on",
    EventKind.EXTENDED: "new_end_on",
    EventKind.ENDED: "ended_on",
    EventKind.FINAL_REPORT: "received_on",
    EventKind.ALTERNATIVE_PLAN: "planned_on",
}
FOLLOWED = frozenset(WEBHOOK_EVENTS)


def attach(sessions: sessionmaker[Session], deliver_soon: Callable[[list[int]], None]) -> None:
    """Deliveries queued in sessions of `sessions` are handed to `deliver_soon` after the
    commit (the first attached wins)."""
    info = sessions.kw.setdefault("info", {})
    info.setdefault(DELIVERER_IN_SESSION, deliver_soon)


def key_of(subscription_id: int, event_id: int) -> str:
    return f"webhook:{subscription_id}:event:{event_id}"


def to_receivers(
    session: Session, event: DomainEvent, outlets: Outlets | None, now: datetime
) -> None:
    """A subscriber (notices.bus) that needs no chat outlet: queues the event for every
    active receiver that follows its kind, stamped with the time it was logged."""
    logged = logged_of(session)
    if logged is not None:
        queue(session, event, logged)


def queue(session: Session, event: DomainEvent, logged: Event) -> list[int]:
    """Queues the event for every active receiver that follows its kind; returns the
    outbox rows' ids."""
    if event.kind not in FOLLOWED or event.referral_id is None:
        return []
    receivers = [
        r
        for r in session.scalars(
            select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
        )
        if event.kind.value in (r.events or [])
    ]
    if not receivers:
        return []
    referral = session.get(Referral, event.referral_id)
    if referral is None:
        return []
    where = session.get(
        Municipality, event.municipality_id or referral.current_municipality_id or 0
    )
    on = getattr(event, DATE_OF.get(event.kind, ""), None)
    body = payload(
        kind=event.kind,
        event_id=logged.id,
        at=logged.at,
        reference_code=referral.reference_code,
        status=referral.status.value,
        municipality=where.name if where else None,
        municipality_code=where.code if where else None,
        on=on if isinstance(on, date) else None,
    )
    rows = [
        ChatOutbox(
            key=key_of(r.id, logged.id),
            transport=Transport.WEBHOOK,
            channel=str(r.id),
            action=OutboxAction.POST,
            text="",
            blocks=[],
            payload=body,
            state=OutboxState.PENDING,
            attempts=0,
            created_at=logged.at,
            next_attempt_at=logged.at,
        )
        for r in receivers
    ]
    session.add_all(rows)
    session.flush()
    queued = [row.id for row in rows]
    deliver_soon = session.info.get(DELIVERER_IN_SESSION)
    if deliver_soon is not None:
        after_commit(session, lambda: deliver_soon(queued))
    return queued
