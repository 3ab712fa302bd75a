"""Webhook subscriptions (issue 26): the administrator registers a receiver's address and
the kinds of event it follows; each such event is queued for it in the outbox, in the
transaction of the change (so nothing is sent for a change that rolled back), and delivered
signed per Standard Webhooks with retries (transports.webhook_sender, the outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor, check_manages_accounts
from domain.api_tokens import checked_token_name
from domain.errors import NotFound, RuleViolation
from domain.text import N_
from domain.webhooks import checked_events, checked_url, new_secret
from storage.models import WebhookSubscription


@dataclass(frozen=True)
class Registered:
    secret: str  # shown to the administrator once, for the receiver's configuration
    row: WebhookSubscription


def add_subscription(
    session: Session,
    *,
    actor: Actor | None,
    name: str,
    url: str,
    events: list[str],
    now: datetime,
) -> Registered:
    check_manages_accounts(actor)
    name = checked_token_name(name)
    url = checked_url(url)
    chosen = checked_events(events)
    taken = session.scalars(
        select(WebhookSubscription.id).where(WebhookSubscription.name == name)
    ).first()
    if taken is not None:
        raise RuleViolation(
            N_("There is already a webhook receiver named %(name)s."), field="name", name=name
        )
    secret = new_secret()
    row = WebhookSubscription(
        name=name,
        url=url,
        events=chosen,
        secret=secret,
        active=True,
        created_at=now,
        created_by_id=actor.user_id if actor else None,
    )
    session.add(row)
    session.flush()
    return Registered(secret, row)


def list_subscriptions(session: Session, *, actor: Actor | None) -> list[WebhookSubscription]:
    check_manages_accounts(actor)
    return list(session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.name)))


def stop_subscription(
    session: Session, *, actor: Actor | None, subscription_id: int
) -> WebhookSubscription:
    """No more events are queued for it (what is queued already is still delivered)."""
    check_manages_accounts(actor)
    row = session.get(WebhookSubscription, subscription_id)
    if row is None:
        raise NotFound(N_("There is no such webhook receiver."))
    row.active = False
    return row


def subscribers_of(session: Session, kind: str) -> list[WebhookSubscription]:
    """The active receivers that follow events of `kind`."""
    rows = session.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True)))
    return [row for row in rows if kind in (row.events or [])]


def receiver(session: Session, subscription_id: int) -> WebhookSubscription | None:
    """Where and how to sign a delivery, looked up when it is sent (the secret never goes
    into the outbox)."""
    return session.get(WebhookSubscription, subscription_id)
