"""The outbox, its delivering half (the queueing half is notices.outbox): Slack messages
rendered and queued, and every queued row sent by the transport it is for.

    enqueue(session, key=…, channel=…, reply=…, now=…)          post a new message, once
    enqueue_update(session, key=…, of_key=…, reply=…, now=…)     replace a message posted earlier

After the commit the rows are delivered in the background (bot.runtime), and `sweep` (run by
`mm chat flush`, the schedulers, and after each delivery) picks up whatever is left.

Delivery claims a row first (notices.outbox.claim), so two workers never post the same row.
Every post carries its key as Slack message metadata. What happens after a failed try
depends on what the transport said (transports.delivery_errors): at Retry-After after a rate limit;
at once to the administrator when someone must act (the bot is not in the channel); later,
with a growing delay, up to MAX_ATTEMPTS, otherwise. A try that may have reached Slack (a
timeout, a server error) is `uncertain`: before the next post the channel's history is
searched for the key, and a message found there is taken as sent. A claim whose process died
is resolved the same way (notices.outbox.release_stale), so it is neither lost nor doubled;
when the history cannot be read the row becomes `unknown` and waits for the administrator.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from domain.delivery import HISTORY_UNAVAILABLE, ORIGINAL_MISSING, Transport
from notices.message import Message
from notices.outbox import (
    FAILED,
    MAX_ATTEMPTS,
    PENDING,
    POST,
    SENDING,
    SENT,
    SKIPPED,
    UNKNOWN,
    UPDATE,
    Claimed,
    claim,
    due,
    finish,
    queue,
    release_stale,
    retry_delay,
)
from storage.models import ChatOutbox
from transports.delivery_errors import Failure, failure_of
from transports.slack.blockkit import slack_reply
from transports.slack.blocks import Reply

log = logging.getLogger("mm.chat.outbox")

# Not stored states: an update whose original is still on its way (tried again soon), and a
# message Slack asked to wait for (tried again at Retry-After).
DEFERRED = "deferred"
RATE_LIMITED = "rate_limited"
# How far before its first try a message is looked for in the channel's history: a day,
# because the time the row was made by may not be Slack's. `mm digest send --date DAY` acts
# as noon of DAY while Slack stamps the real time; with five minutes a digest killed mid-send
# at 07:30 was not found at 11:55 and was posted again.
HISTORY_MARGIN = timedelta(days=1)
METADATA_TYPE = "mm_outbox"


def _blocks(reply: Reply | Message) -> dict[str, Any]:
    return (slack_reply(reply) if isinstance(reply, Message) else reply).message()


def enqueue(
    session: Session, *, key: str, channel: str, reply: Reply | Message, now: datetime
) -> ChatOutbox | None:
    """Posts `reply` to `channel` (a Slack channel id, or a user id for a direct message)
    after the commit. Returns None, and queues nothing, when `key` was used before."""
    message = _blocks(reply)
    return queue(
        session,
        key=key,
        transport=Transport.SLACK,
        channel=channel,
        text=message["text"],
        blocks=message["blocks"],
        now=now,
    )


def enqueue_update(
    session: Session, *, key: str, of_key: str, reply: Reply | Message, now: datetime
) -> ChatOutbox | None:
    """Replaces the message queued under `of_key` once it has been posted. None when there
    is no such message (it was never queued) or `key` was used before."""
    message = _blocks(reply)
    return queue(
        session,
        key=key,
        transport=Transport.SLACK,
        channel="",
        text=message["text"],
        blocks=message["blocks"],
        now=now,
        of_key=of_key,
    )


class Sender(Protocol):
    """Sends one transport's messages: `content` is the Slack blocks, or the payload of a
    Matrix message or an e-mail."""

    def post(self, channel: str, text: str, content: Any, key: str) -> tuple[str, str]: ...

    def update(self, channel: str, ts: str, text: str, content: Any) -> None: ...

    def find(self, channel: str, key: str, since: datetime) -> tuple[str, str] | None:
        """Where the message posted under `key` is (channel, ts), or None when it is not
        there; raises when that cannot be told."""
        ...


class Senders:
    """The senders of one process, per transport; it sends only what it has a sender for."""

    def __init__(self, by_transport: dict[Transport, Sender]) -> None:
        self.by_transport = by_transport

    @property
    def transports(self) -> tuple[Transport, ...]:
        return tuple(self.by_transport)

    def for_transport(self, transport: Transport) -> Sender | None:
        return self.by_transport.get(transport)


def _sender_for(sender: Sender | Senders, transport: Transport) -> Sender | None:
    if isinstance(sender, Senders):
        return sender.for_transport(transport)
    return sender if transport is Transport.SLACK else None


def _transports(sender: Sender | Senders) -> tuple[Transport, ...]:
    return sender.transports if isinstance(sender, Senders) else (Transport.SLACK,)


def _already_there(sender: Sender, claimed: Claimed) -> tuple[str, str] | None:
    """Before posting again after an uncertain try: the message, if Slack has it."""
    return sender.find(claimed.channel, claimed.key, claimed.created_at - HISTORY_MARGIN)


def deliver(
    sessions: sessionmaker[Session], sender: Sender | Senders, message_id: int, now: datetime
) -> str:
    """Sends one message if it is due and nobody else has claimed it; returns its new state
    (or DEFERRED / RATE_LIMITED, or "" when it was not ours to send)."""
    claimed = claim(sessions, message_id, now)
    if claimed is None:
        return ""
    target = _sender_for(sender, claimed.transport)
    if target is None:  # this process has no way to send it: another one will
        finish(sessions, claimed.id, state=PENDING, attempts=claimed.attempts - 1)
        return ""
    return _send(sessions, target, claimed, now)


def _send(sessions: sessionmaker[Session], sender: Sender, claimed: Claimed, now: datetime) -> str:
    if claimed.action == UPDATE and claimed.original_state in (PENDING, SENDING):
        finish(sessions, claimed.id, state=PENDING, attempts=claimed.attempts - 1)
        return DEFERRED
    if claimed.action == UPDATE and claimed.original_state != SENT:
        finish(sessions, claimed.id, state=SKIPPED, last_error=ORIGINAL_MISSING)
        return SKIPPED
    if claimed.action == POST and claimed.uncertain:
        try:
            found = _already_there(sender, claimed)
        except Exception as error:
            return _failed(sessions, claimed, failure_of(error), now, checking=True)
        if found is not None:
            log.info("chat message %s was already in Slack; not posted again", claimed.id)
            finish(
                sessions,
                claimed.id,
                state=SENT,
                sent_at=now,
                posted_channel=found[0],
                ts=found[1],
                uncertain=False,
            )
            return SENT
    try:
        if claimed.action == UPDATE:
            posted_channel, ts = claimed.original_channel, claimed.original_ts
            sender.update(posted_channel or "", ts or "", claimed.text, claimed.content)
        else:
            posted_channel, ts = sender.post(
                claimed.channel, claimed.text, claimed.content, claimed.key
            )
    except Exception as error:  # what Slack said decides what happens next
        return _failed(sessions, claimed, failure_of(error), now)
    finish(
        sessions,
        claimed.id,
        state=SENT,
        sent_at=now,
        posted_channel=posted_channel,
        ts=ts,
        uncertain=False,
    )
    return SENT


def _failed(
    sessions: sessionmaker[Session],
    claimed: Claimed,
    failure: Failure,
    now: datetime,
    *,
    checking: bool = False,
) -> str:
    """Puts a row back after a failed try (or a failed look into the history)."""
    code = HISTORY_UNAVAILABLE if checking and failure.needs_someone else failure.code
    if failure.retry_after is not None:  # Slack's wait, not a failure of the message
        log.info("chat message %s waits %ss for Slack", claimed.id, failure.retry_after)
        finish(
            sessions,
            claimed.id,
            state=PENDING,
            attempts=claimed.attempts - 1,
            next_attempt_at=now + timedelta(seconds=failure.retry_after),
            last_error=code,
        )
        return RATE_LIMITED
    if failure.needs_someone:
        state = UNKNOWN if checking else FAILED
        log.warning("chat message %s not sent (%s): shown to the administrator", claimed.id, code)
        finish(sessions, claimed.id, state=state, last_error=code)
        return state
    give_up = claimed.attempts >= MAX_ATTEMPTS
    log.warning("chat message %s not sent (%s)%s", claimed.id, code, ", giving up" * give_up)
    finish(
        sessions,
        claimed.id,
        state=FAILED if give_up else PENDING,
        next_attempt_at=now + retry_delay(claimed.attempts),
        last_error=code[:200],
        uncertain=claimed.uncertain or failure.uncertain,
    )
    return FAILED if give_up else PENDING


def sweep(
    sessions: sessionmaker[Session],
    sender: Sender | Senders,
    now: Callable[[], datetime],
    limit: int = 200,
    key_prefix: str = "",
) -> dict[str, int]:
    """Delivers everything due, oldest first (an original before its update); counts states.
    After a rate limit the rest waits for the next sweep: Slack asked for quiet."""
    counts: dict[str, int] = {}
    release_stale(sessions, now())
    for message_id in due(sessions, now(), limit, key_prefix, _transports(sender)):
        state = deliver(sessions, sender, message_id, now())
        if state:
            counts[state] = counts.get(state, 0) + 1
        if state == RATE_LIMITED:
            break
    return counts
