"""API tokens and webhook subscriptions (issue 26)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.types import UtcDateTime

if TYPE_CHECKING:
    from storage.models.people import User


class ApiToken(Base):
    """A token for the API (issue 26): made by the administrator, shown once, only its
    SHA-256 kept. It acts through an account of its own (`user_id`, never active on the web
    site: no login, no notices), so the history and the audit log name it as they name a
    person; that account has the token's role and municipality."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The rate limit: calls in the current minute, counted under the row's lock.
    window_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    window_calls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class WebhookSubscription(Base):
    """A receiver of webhooks (issue 26): its address, the event kinds it follows
    (domain.webhooks.WEBHOOK_EVENTS) and the Standard Webhooks secret that signs each
    delivery (kept as it is: signing needs it; shown to the administrator once)."""

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[list[Any]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
