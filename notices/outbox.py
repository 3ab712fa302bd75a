"""The outbox, its queueing half: messages written in the same transaction as the change
they tell about, once per key, and the claim on each that makes one process send it.

    enqueue_payload(session, key=…, transport=…, channel=…, text=…, payload=…, now=…)
    queue(session, key=…, transport=…, channel=…, text=…, blocks=…, now=…, of_key=…)

Both do nothing when a row with the same `key` exists, so a message is queued at most once
however often the code that queues it runs. Nothing is sent inside the transaction: if it
rolls back, nothing was said. After the commit the outlets (notices.outlets) start delivering
what was queued (`new_in`), and a sweep picks up whatever is left.

Delivery claims a row first (`claim`: pending -> sending, a compare-and-set, with the
claiming process's host:pid), so two workers never send the same row; `finish` puts down
what came of it, `retry_delay` says when a failed try is tried again (up to MAX_ATTEMPTS). A
claim whose process died (on this host: its pid is gone; elsewhere: past the LEASE) is
released by `release_stale`, uncertain, so that the next try first looks for the message.
What a transport said and how a message is sent are the transports' (transports.outbox).
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from domain.delivery import SENDER_STOPPED, OutboxAction, OutboxState, Transport
from notices.outlets import wake_after_commit
from storage.db import changed_rows, unit_of_work
from storage.models import ChatOutbox

log = logging.getLogger("mm.chat.outbox")

PENDING, SENDING, SENT = OutboxState.PENDING, OutboxState.SENDING, OutboxState.SENT
FAILED, SKIPPED, UNKNOWN = OutboxState.FAILED, OutboxState.SKIPPED, OutboxState.UNKNOWN
POST, UPDATE = OutboxAction.POST, OutboxAction.UPDATE
MAX_ATTEMPTS = 8
FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=1)
# Longer than any one send can take (a 10-second timeout, one retry, Retry-After waits).
LEASE = timedelta(minutes=2)
NEW_IN_SESSION = "mm.chat.outbox.new"


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


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
    return _queue(session, key, transport, channel, text, [], payload, now, of_key)


def queue(
    session: Session,
    *,
    key: str,
    transport: Transport,
    channel: str,
    text: str,
    blocks: list[Any],
    now: datetime,
    of_key: str | None = None,
) -> ChatOutbox | None:
    """A Slack message, rendered (its text and blocks), once per key. With `of_key`:
    replaces that message once it is posted (None when it was never queued)."""
    return _queue(session, key, transport, channel, text, blocks, None, now, of_key)


def _queue(
    session: Session,
    key: str,
    transport: Transport,
    channel: str,
    text: str,
    blocks: list[Any],
    payload: dict[str, Any] | None,
    now: datetime,
    of_key: str | None,
) -> ChatOutbox | None:
    """One row, once per key; an update goes where the message it replaces went."""
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
            blocks=blocks,
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


@dataclass(frozen=True)
class Claimed:
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


def claim(sessions: sessionmaker[Session], message_id: int, now: datetime) -> Claimed | None:
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
        return Claimed(
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


def finish(sessions: sessionmaker[Session], message_id: int, **values: Any) -> None:
    with unit_of_work(sessions) as session:
        session.execute(
            update(ChatOutbox)
            .where(ChatOutbox.id == message_id, ChatOutbox.state == SENDING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_DELAY * 2 ** max(attempts - 1, 0), LONGEST_DELAY)


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
