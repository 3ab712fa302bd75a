"""The chat outbox: messages written in the same transaction as the change they tell about,
and posted to Slack after the commit.

    enqueue(session, key=…, channel=…, reply=…, now=…)          post a new message, once
    enqueue_update(session, key=…, of_key=…, reply=…, now=…)     replace a message posted earlier

Both do nothing when a row with the same `key` exists, so a message is queued at most once
however often the code that queues it runs. Nothing is sent inside the transaction: if it
rolls back, nothing was said. After the commit the rows are delivered in the background
(bot.runtime), and `sweep` (run by `mm chat flush`, the schedulers, and after each delivery)
picks up whatever is left.

Delivery claims a row first (pending -> sending, a compare-and-set, with the claiming
process's host:pid), so two workers never post the same row. Every post carries its key as
Slack message metadata. What happens after a failed try depends on what Slack said
(bot.delivery_errors): at Retry-After after a rate limit; at once to the administrator when
someone must act (the bot is not in the channel); later, with a growing delay, up to
MAX_ATTEMPTS, otherwise. A try that may have reached Slack (a timeout, a server error) is
`uncertain`: before the next post the channel's history is searched for the key, and a
message found there is taken as sent. A claim whose process died (on this host: its pid is
gone; elsewhere: past the LEASE) is resolved the same way, so it is neither lost nor doubled;
when the history cannot be read the row becomes `unknown` and waits for the administrator.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.blockkit import slack_reply
from bot.blocks import Reply
from bot.delivery_errors import Failure, failure_of
from bot.message import Message
from domain.delivery import (
    HISTORY_UNAVAILABLE,
    ORIGINAL_MISSING,
    SENDER_STOPPED,
    OutboxAction,
    OutboxState,
    Transport,
)
from notices.outlets import wake_after_commit
from storage.db import changed_rows, unit_of_work
from storage.models import ChatOutbox

log = logging.getLogger("mm.chat.outbox")

PENDING, SENDING, SENT = OutboxState.PENDING, OutboxState.SENDING, OutboxState.SENT
FAILED, SKIPPED, UNKNOWN = OutboxState.FAILED, OutboxState.SKIPPED, OutboxState.UNKNOWN
# Not stored states: an update whose original is still on its way (tried again soon), and a
# message Slack asked to wait for (tried again at Retry-After).
DEFERRED = "deferred"
RATE_LIMITED = "rate_limited"
POST, UPDATE = OutboxAction.POST, OutboxAction.UPDATE
MAX_ATTEMPTS = 8
FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=1)
# Longer than any one send can take (a 10-second timeout, one retry, Retry-After waits).
LEASE = timedelta(minutes=2)
# How far before its first try a message is looked for in the channel's history.
HISTORY_MARGIN = timedelta(minutes=5)
NEW_IN_SESSION = "mm.chat.outbox.new"
METADATA_TYPE = "mm_outbox"


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _blocks(reply: Reply | Message) -> dict[str, Any]:
    return (slack_reply(reply) if isinstance(reply, Message) else reply).message()


def enqueue(
    session: Session, *, key: str, channel: str, reply: Reply | Message, now: datetime
) -> ChatOutbox | None:
    """Posts `reply` to `channel` (a Slack channel id, or a user id for a direct message)
    after the commit. Returns None, and queues nothing, when `key` was used before."""
    message = _blocks(reply)
    return _add(
        session,
        ChatOutbox(
            key=key,
            channel=channel,
            action=POST,
            text=message["text"],
            blocks=message["blocks"],
            state=PENDING,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        ),
    )


def enqueue_update(
    session: Session, *, key: str, of_key: str, reply: Reply | Message, now: datetime
) -> ChatOutbox | None:
    """Replaces the message queued under `of_key` once it has been posted. None when there
    is no such message (it was never queued) or `key` was used before."""
    original = find(session, of_key)
    if original is None:
        return None
    message = _blocks(reply)
    return _add(
        session,
        ChatOutbox(
            key=key,
            channel=original.channel,
            action=UPDATE,
            update_of_id=original.id,
            text=message["text"],
            blocks=message["blocks"],
            state=PENDING,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        ),
    )


def enqueue_payload(
    session: Session,
    *,
    key: str,
    transport: Transport,
    channel: str,
    text: str,
    payload: dict[str, Any],
    now: datetime,
    of_key: str | None = None,
) -> ChatOutbox | None:
    """A Matrix message or an e-mail (the payload as its transport sends it), once per key.
    With `of_key`: replaces that message once it is sent (a Matrix edit)."""
    original = find(session, of_key) if of_key else None
    if of_key and original is None:
        return None
    return _add(
        session,
        ChatOutbox(
            key=key,
            transport=transport,
            channel=original.channel if original else channel,
            action=UPDATE if original else POST,
            update_of_id=original.id if original else None,
            text=text,
            blocks=[],
            payload=payload,
            state=PENDING,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        ),
    )


def find(session: Session, key: str) -> ChatOutbox | None:
    return session.scalars(select(ChatOutbox).where(ChatOutbox.key == key)).first()


def _add(session: Session, row: ChatOutbox) -> ChatOutbox | None:
    if find(session, row.key) is not None:
        return None
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same key, queued by a transaction that committed first
        return None
    session.info.setdefault(NEW_IN_SESSION, []).append(row.id)
    wake_after_commit(session)
    return row


def new_in(session: Session) -> list[int]:
    """Ids queued in this session's transaction (taken: asked once, after the commit)."""
    return session.info.pop(NEW_IN_SESSION, [])


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


@dataclass(frozen=True)
class _Claimed:
    id: int
    key: str
    transport: Transport
    action: OutboxAction
    channel: str
    text: str
    content: Any
    attempts: int
    uncertain: bool
    created_at: datetime
    original_state: OutboxState | None
    original_channel: str | None
    original_ts: str | None


def _claim(sessions: sessionmaker[Session], message_id: int, now: datetime) -> _Claimed | None:
    with unit_of_work(sessions) as session:
        won = changed_rows(
            session,
            update(ChatOutbox)
            .where(
                ChatOutbox.id == message_id,
                ChatOutbox.state == PENDING,
                ChatOutbox.next_attempt_at <= now,
            )
            .values(
                state=SENDING,
                claimed_at=now,
                claimed_by=this_process(),
                attempts=ChatOutbox.attempts + 1,
            )
            .execution_options(synchronize_session=False),
        )
        if won != 1:
            return None
        row = session.get(ChatOutbox, message_id)
        if row is None:
            return None
        original = row.update_of
        return _Claimed(
            id=row.id,
            key=row.key,
            transport=row.transport,
            action=row.action,
            channel=row.channel,
            text=row.text,
            content=row.blocks if row.transport is Transport.SLACK else row.payload,
            attempts=row.attempts,
            uncertain=row.uncertain,
            created_at=row.created_at,
            original_state=original.state if original else None,
            original_channel=original.posted_channel if original else None,
            original_ts=original.ts if original else None,
        )


def _finish(sessions: sessionmaker[Session], message_id: int, **values: Any) -> None:
    with unit_of_work(sessions) as session:
        session.execute(
            update(ChatOutbox)
            .where(ChatOutbox.id == message_id, ChatOutbox.state == SENDING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _delay(attempts: int) -> timedelta:
    return min(FIRST_DELAY * 2 ** max(attempts - 1, 0), LONGEST_DELAY)


def _already_there(sender: Sender, claimed: _Claimed) -> tuple[str, str] | None:
    """Before posting again after an uncertain try: the message, if Slack has it."""
    return sender.find(claimed.channel, claimed.key, claimed.created_at - HISTORY_MARGIN)


def deliver(
    sessions: sessionmaker[Session], sender: Sender | Senders, message_id: int, now: datetime
) -> str:
    """Sends one message if it is due and nobody else has claimed it; returns its new state
    (or DEFERRED / RATE_LIMITED, or "" when it was not ours to send)."""
    claimed = _claim(sessions, message_id, now)
    if claimed is None:
        return ""
    target = _sender_for(sender, claimed.transport)
    if target is None:  # this process has no way to send it: another one will
        _finish(sessions, claimed.id, state=PENDING, attempts=claimed.attempts - 1)
        return ""
    return _send(sessions, target, claimed, now)


def _send(sessions: sessionmaker[Session], sender: Sender, claimed: _Claimed, now: datetime) -> str:
    if claimed.action == UPDATE and claimed.original_state in (PENDING, SENDING):
        _finish(sessions, claimed.id, state=PENDING, attempts=claimed.attempts - 1)
        return DEFERRED
    if claimed.action == UPDATE and claimed.original_state != SENT:
        _finish(sessions, claimed.id, state=SKIPPED, last_error=ORIGINAL_MISSING)
        return SKIPPED
    if claimed.action == POST and claimed.uncertain:
        try:
            found = _already_there(sender, claimed)
        except Exception as error:
            return _failed(sessions, claimed, failure_of(error), now, checking=True)
        if found is not None:
            log.info("chat message %s was already in Slack; not posted again", claimed.id)
            _finish(
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
    _finish(
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
    claimed: _Claimed,
    failure: Failure,
    now: datetime,
    *,
    checking: bool = False,
) -> str:
    """Puts a row back after a failed try (or a failed look into the history)."""
    code = HISTORY_UNAVAILABLE if checking and failure.needs_someone else failure.code
    if failure.retry_after is not None:  # Slack's wait, not a failure of the message
        log.info("chat message %s waits %ss for Slack", claimed.id, failure.retry_after)
        _finish(
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
        _finish(sessions, claimed.id, state=state, last_error=code)
        return state
    give_up = claimed.attempts >= MAX_ATTEMPTS
    log.warning("chat message %s not sent (%s)%s", claimed.id, code, ", giving up" * give_up)
    _finish(
        sessions,
        claimed.id,
        state=FAILED if give_up else PENDING,
        next_attempt_at=now + _delay(claimed.attempts),
        last_error=code[:200],
        uncertain=claimed.uncertain or failure.uncertain,
    )
    return FAILED if give_up else PENDING


def _alive(claimed_by: str | None) -> bool:
    """Whether the process that claimed a row may still be sending it. Only a process on
    this host can be looked at; elsewhere, the lease decides."""
    host, _sep, pid = (claimed_by or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    if int(pid) == os.getpid():
        return True  # this process: its own threads finish what they claimed
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_stale(sessions: sessionmaker[Session], now: datetime) -> int:
    """Rows left in `sending` by a process that died (or past the lease): back to pending,
    uncertain, so that the next try first looks for the message in Slack."""
    with unit_of_work(sessions) as session:
        stuck = list(
            session.execute(
                select(ChatOutbox.id, ChatOutbox.claimed_by, ChatOutbox.claimed_at).where(
                    ChatOutbox.state == SENDING
                )
            )
        )
    dead = [
        row.id
        for row in stuck
        if row.claimed_at is None or row.claimed_at < now - LEASE or not _alive(row.claimed_by)
    ]
    if not dead:
        return 0
    with unit_of_work(sessions) as session:
        released = changed_rows(
            session,
            update(ChatOutbox)
            .where(ChatOutbox.id.in_(dead), ChatOutbox.state == SENDING)
            .values(
                state=PENDING,
                uncertain=True,
                next_attempt_at=now,
                last_error=SENDER_STOPPED,
            )
            .execution_options(synchronize_session=False),
        )
    if released:
        log.warning("%s chat message(s) were being sent by a process that stopped", released)
    return released


def due(
    sessions: sessionmaker[Session],
    now: datetime,
    limit: int = 200,
    key_prefix: str = "",
    transports: tuple[Transport, ...] = (Transport.SLACK,),
) -> list[int]:
    with unit_of_work(sessions) as session:
        query = (
            select(ChatOutbox.id)
            .where(
                ChatOutbox.state == PENDING,
                ChatOutbox.next_attempt_at <= now,
                ChatOutbox.transport.in_(transports),
            )
            .order_by(ChatOutbox.id)
            .limit(limit)
        )
        if key_prefix:
            query = query.where(ChatOutbox.key.startswith(key_prefix, autoescape=True))
        return list(session.scalars(query))


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


def states_in(session: Session, keys: list[str]) -> dict[str, ChatOutbox]:
    """The rows under these keys."""
    if not keys:
        return {}
    rows = session.scalars(select(ChatOutbox).where(ChatOutbox.key.in_(keys)))
    return {row.key: row for row in rows}


def states(sessions: sessionmaker[Session], keys: list[str]) -> dict[str, ChatOutbox]:
    """The rows under these keys, as they are now (detached)."""
    with unit_of_work(sessions) as session:
        found = states_in(session, keys)
        session.expunge_all()
    return found
