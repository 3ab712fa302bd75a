"""The chat and notice outbox and what the transports remember: seen requests, cursors, direct
rooms, preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.delivery import OutboxAction, OutboxState, Transport
from domain.notices import NoticeKind, NoticeWay
from storage.models.base import Base, _enum
from storage.types import UtcDateTime


class ChatOutbox(Base):
    """A chat message to post or update, written in the same transaction as the change it
    tells about and delivered after the commit (transports.outbox). `key` makes it happen once."""

    __tablename__ = "chat_outbox"
    __table_args__ = (Index("ix_chat_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    # slack: a channel id (C…), or a user id (U…) for a direct message; matrix: a room id
    # (!…), or a user id (@…) for a direct chat; email: an address.
    transport: Mapped[Transport] = mapped_column(
        _enum(Transport), default=Transport.SLACK, server_default=Transport.SLACK.value
    )
    channel: Mapped[str] = mapped_column(String(320))
    # post: a new message; update: replace the message that `update_of` posted.
    action: Mapped[OutboxAction] = mapped_column(_enum(OutboxAction))
    update_of_id: Mapped[int | None] = mapped_column(ForeignKey("chat_outbox.id"))
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # What Matrix or e-mail is sent (Matrix content; subject, text and HTML of an e-mail).
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # pending -> sending -> sent; or failed / skipped / unknown (domain.delivery).
    state: Mapped[OutboxState] = mapped_column(_enum(OutboxState))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Where Slack put the message: needed to update it later.
    posted_channel: Mapped[str | None] = mapped_column(String(40))
    ts: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(String(200))
    # Which process claimed it (host:pid), so that a claim whose process died is known.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    # The last try may have reached the chat service (a timeout, a server error, a process
    # that died): the next one looks for the message before it posts again.
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    update_of: Mapped[ChatOutbox | None] = relationship(remote_side=[id])


class ChatRequestSeen(Base):
    """Requests from Slack already taken in, so that a retried delivery is not run twice."""

    __tablename__ = "chat_request_seen"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class NoticePreference(Base):
    """How one person wants one kind of notice (domain.notices); none means chat."""

    __tablename__ = "notice_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind), primary_key=True)
    way: Mapped[NoticeWay] = mapped_column(_enum(NoticeWay))


class MatrixDirectRoom(Base):
    """The bot's direct chat with one Matrix user, once it exists."""

    __tablename__ = "matrix_direct_room"

    matrix_user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))


class ChatCursor(Base):
    """Where a chat process left off (the Matrix sync token), so a restart goes on there."""

    __tablename__ = "chat_cursor"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
