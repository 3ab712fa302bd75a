"""The chat outbox: messages written in the same transaction as the change they tell about,
and posted to Slack after the commit.

    enqueue(session, key=…, channel=…, reply=…, now=…)          post a new message, once
    enqueue_update(session, key=…, of_key=…, reply=…, now=…)     replace a message posted earlier

Both do nothing when a row with the same `key` exists, so a message is queued at most once
however often the code that queues it runs. Nothing is sent inside the transaction: if it
rolls back, nothing was said. After the commit the rows are delivered in the background
(bot.runtime), and `sweep` (run by `mm chat flush`, the Socket Mode process, and after each
delivery) picks up whatever is left.

Delivery claims a row first (pending -> sending, a compare-and-set), so two workers never
post the same row. A failed send (Slack said no, or could not be reached) goes back to
pending with a growing delay, up to MAX_ATTEMPTS. A row left in `sending` past the LEASE (the
process died mid-send: Slack may or may not have it) becomes `unknown` and is not sent again:
never posting twice wins over posting for sure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import Reply
from domain.delivery import OutboxAction, OutboxState
from storage.db import changed_rows, unit_of_work
from storage.models import ChatOutbox

log = logging.getLogger("mm.chat.outbox")

PENDING, SENDING, SENT = OutboxState.PENDING, OutboxState.SENDING, OutboxState.SENT
FAILED, SKIPPED, UNKNOWN = OutboxState.FAILED, OutboxState.SKIPPED, OutboxState.UNKNOWN
# Not a stored state: an update whose original is still on its way; tried again soon.
DEFERRED = "deferred"
POST, UPDATE = OutboxAction.POST, OutboxAction.UPDATE
MAX_ATTEMPTS = 8
FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=1)
LEASE = timedelta(minutes=5)
NEW_IN_SESSION = "mm.chat.outbox.new"


def enqueue(
    session: Session, *, key: str, channel: str, reply: Reply, now: datetime
) -> ChatOutbox | None:
    """Posts `reply` to `channel` (a channel id, or a user id for a direct message) after the
    commit. Returns None, and queues nothing, when `key` was used before."""
    message = reply.message()
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
    session: Session, *, key: str, of_key: str, reply: Reply, now: datetime
) -> ChatOutbox | None:
    """Replaces the message queued under `of_key` once it has been posted. None when there
    is no such message (it was never queued) or `key` was used before."""
    original = find(session, of_key)
    if original is None:
        return None
    message = reply.message()
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
    return row


def new_in(session: Session) -> list[int]:
    """Ids queued in this session's transaction (taken: asked once, after the commit)."""
    return session.info.pop(NEW_IN_SESSION, [])


def forget_new(session: Session) -> None:
    session.info.pop(NEW_IN_SESSION, None)


class Sender(Protocol):
    def post(self, channel: str, text: str, blocks: list[Any]) -> tuple[str, str]: ...

    def update(self, channel: str, ts: str, text: str, blocks: list[Any]) -> None: ...


class SlackSender:
    """Posts with the Web API; returns where Slack put the message."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, channel: str, text: str, blocks: list[Any]) -> tuple[str, str]:
        response = self.client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
        )
        return response["channel"], response["ts"]

    def update(self, channel: str, ts: str, text: str, blocks: list[Any]) -> None:
        self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)


@dataclass(frozen=True)
class _Claimed:
    id: int
    action: OutboxAction
    channel: str
    text: str
    blocks: list[Any]
    attempts: int
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
            .values(state=SENDING, claimed_at=now, attempts=ChatOutbox.attempts + 1)
            .execution_options(synchronize_session=False),
        )
        row = session.get(ChatOutbox, message_id)
        if won != 1 or row is None:
            return None
        original = row.update_of
        return _Claimed(
            id=row.id,
            action=row.action,
            channel=row.channel,
            text=row.text,
            blocks=row.blocks,
            attempts=row.attempts,
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


def deliver(sessions: sessionmaker[Session], sender: Sender, message_id: int, now: datetime) -> str:
    """Sends one message if it is due and nobody else has claimed it; returns its new state
    (or DEFERRED, or "" when it was not ours to send)."""
    claimed = _claim(sessions, message_id, now)
    if claimed is None:
        return ""
    if claimed.action == UPDATE and claimed.original_state in (PENDING, SENDING):
        _finish(sessions, claimed.id, state=PENDING, attempts=claimed.attempts - 1)
        return DEFERRED
    if claimed.action == UPDATE and claimed.original_state != SENT:
        _finish(sessions, claimed.id, state=SKIPPED, last_error="the original was never posted")
        return SKIPPED
    try:
        if claimed.action == UPDATE:
            posted_channel, ts = claimed.original_channel or "", claimed.original_ts or ""
            sender.update(posted_channel, ts, claimed.text, claimed.blocks)
        else:
            posted_channel, ts = sender.post(claimed.channel, claimed.text, claimed.blocks)
    except Exception as error:  # any failure to send is retried
        reason = _reason(error)
        give_up = claimed.attempts >= MAX_ATTEMPTS
        log.warning("chat message %s not sent (%s)%s", claimed.id, reason, ", giving up" * give_up)
        _finish(
            sessions,
            claimed.id,
            state=FAILED if give_up else PENDING,
            next_attempt_at=now + _delay(claimed.attempts),
            last_error=reason[:200],
        )
        return FAILED if give_up else PENDING
    _finish(sessions, claimed.id, state=SENT, sent_at=now, posted_channel=posted_channel, ts=ts)
    return SENT


def _reason(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "slack_error")
    return type(error).__name__


def expire_stale(sessions: sessionmaker[Session], now: datetime) -> int:
    """Rows stuck in `sending` past the lease: their outcome is unknown; never sent again."""
    with unit_of_work(sessions) as session:
        stale = changed_rows(
            session,
            update(ChatOutbox)
            .where(ChatOutbox.state == SENDING, ChatOutbox.claimed_at < now - LEASE)
            .values(state=UNKNOWN, last_error="the sender stopped while sending")
            .execution_options(synchronize_session=False),
        )
    if stale:
        log.warning("%s chat message(s) may or may not have reached Slack; not sent again", stale)
    return stale


def due(sessions: sessionmaker[Session], now: datetime, limit: int = 200) -> list[int]:
    with unit_of_work(sessions) as session:
        return list(
            session.scalars(
                select(ChatOutbox.id)
                .where(ChatOutbox.state == PENDING, ChatOutbox.next_attempt_at <= now)
                .order_by(ChatOutbox.id)
                .limit(limit)
            )
        )


def sweep(
    sessions: sessionmaker[Session],
    sender: Sender,
    now: Callable[[], datetime],
    limit: int = 200,
) -> dict[str, int]:
    """Delivers everything due, oldest first (an original before its update); counts states."""
    counts: dict[str, int] = {}
    expire_stale(sessions, now())
    for message_id in due(sessions, now(), limit):
        state = deliver(sessions, sender, message_id, now())
        if state:
            counts[state] = counts.get(state, 0) + 1
    return counts
