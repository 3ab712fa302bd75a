"""Messages that did not get through: what the administrator sees on the web and sends again,
and what the coordinator's digest says about them.

A message waits for someone when it failed for good (the bot is not in the channel, a wrong
channel id, a token Slack does not accept, or too many tries), when it was never known to
arrive (unknown), or when it was an update whose original never got through (skipped).
Codes, channel ids and reasons only: a message's text is never shown here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.access import Actor, check_manages_deliveries
from domain.delivery import OutboxState, Transport
from domain.errors import NotFound, RuleViolation
from domain.message_kinds import kind_of
from domain.text import N_
from storage.models import ChatOutbox, Municipality

WAITING_FOR_SOMEONE = (OutboxState.FAILED, OutboxState.UNKNOWN, OutboxState.SKIPPED)
MAX_LISTED = 500


@dataclass(frozen=True)
class FailedDelivery:
    id: int
    kind: str
    channel: str
    municipality: str | None  # when the channel is a municipality's
    direct: bool  # a direct message to one person
    transport: Transport
    state: OutboxState
    reason: str | None  # the error code; transports.delivery_reasons.reason_text says it in words
    attempts: int
    created_at: datetime
    last_try_at: datetime | None


def _municipalities_by_channel(session: Session) -> dict[str, str]:
    """Slack channels and Matrix rooms, to the municipality they belong to."""
    found: dict[str, str] = {}
    for channel, room, name in session.execute(
        select(Municipality.slack_channel, Municipality.matrix_room, Municipality.name)
    ):
        for place in (channel, room):
            if place:
                found[place] = name
    return found


def _failed_rows(session: Session) -> list[ChatOutbox]:
    return list(
        session.scalars(
            select(ChatOutbox)
            .where(ChatOutbox.state.in_(WAITING_FOR_SOMEONE))
            .order_by(ChatOutbox.created_at.desc(), ChatOutbox.id.desc())
            .limit(MAX_LISTED)
        )
    )


def failed_deliveries(session: Session, *, actor: Actor) -> list[FailedDelivery]:
    """Newest first."""
    check_manages_deliveries(actor)
    names = _municipalities_by_channel(session)
    return [
        FailedDelivery(
            id=row.id,
            kind=kind_of(row.key),
            channel=row.channel,
            municipality=names.get(row.channel),
            direct=row.channel.startswith(("U", "W", "@")),
            transport=row.transport,
            state=row.state,
            reason=row.last_error,
            attempts=row.attempts,
            created_at=row.created_at,
            last_try_at=row.claimed_at,
        )
        for row in _failed_rows(session)
    ]


def retry_delivery(session: Session, *, actor: Actor, delivery_id: int, now: datetime) -> None:
    """Sends a failed message again, now. After `unknown` the administrator has looked in the
    channel: the message is posted without another look into the history."""
    check_manages_deliveries(actor)
    row = session.get(ChatOutbox, delivery_id)
    if row is None:
        raise NotFound(N_("There is no such delivery."))
    if row.state not in WAITING_FOR_SOMEONE:
        raise RuleViolation(N_("This message is not waiting to be sent again."))
    session.execute(
        update(ChatOutbox)
        .where(ChatOutbox.id == row.id, ChatOutbox.state == row.state)
        .values(
            state=OutboxState.PENDING,
            attempts=0,
            next_attempt_at=now,
            uncertain=row.uncertain and row.state is not OutboxState.UNKNOWN,
        )
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class UndeliveredSummary:
    """For the coordinator's digest: how many messages to one place wait, and why."""

    channel: str
    municipality: str | None
    reason: str | None
    count: int


def undelivered_summary(session: Session) -> list[UndeliveredSummary]:
    names = _municipalities_by_channel(session)
    counts = Counter(
        (row.channel, row.last_error)
        for row in _failed_rows(session)
        if row.transport is not Transport.EMAIL and not row.channel.startswith(("U", "W", "@"))
    )
    return [
        UndeliveredSummary(channel, names.get(channel), reason, count)
        for (channel, reason), count in sorted(
            counts.items(), key=lambda i: (i[0][0], i[0][1] or "")
        )
    ]
