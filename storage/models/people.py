"""Accounts on the web site and what logging in keeps: sessions, recovery codes, invitations,
throttles, chat links, submissions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.choices import Role
from storage.models.base import Base, _enum
from storage.types import UtcDateTime

if TYPE_CHECKING:
    from storage.models.municipalities import Municipality


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    slack_user_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    matrix_user_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Staff contact details, shown to the other party of a referral (never a participant's).
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    title: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # Login (issue 9): the identity at the organisation's identity provider (an HSA-id, a
    # personnummer, … as the setting OIDC_IDENTITY_CLAIM says; the e-mail claim needs none).
    external_identity: Mapped[str | None] = mapped_column(String(200), unique=True)
    # The TOTP key (base32) once enrolled, and the last time step used: a code is good once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Made by `mm demo`: may be shown its code by `mm demo code`, and removed by `mm demo remove`.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    municipality: Mapped[Municipality | None] = relationship()


class ChatLink(Base):
    """A one-time link from a Slack or Matrix user to a web account (services.chat_links)."""

    __tablename__ = "chat_link"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(40))
    matrix_user_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Who asked, as Slack names them, so that the confirmation page can say it.
    slack_user_name: Mapped[str | None] = mapped_column(String(80))
    slack_team: Mapped[str | None] = mapped_column(String(80))


class LoginThrottle(Base):
    """Failed logins of one account from one network address (domain.authentication): the
    row is locked while a password is checked, so concurrent tries are counted one by one."""

    __tablename__ = "login_throttle"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    address: Mapped[str] = mapped_column(String(45), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)


class WebSession(Base):
    """A session on the web site, kept on the server so that every worker agrees and logging
    out ends it. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    logged_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    address: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class RecoveryCode(Base):
    """A one-time code for logging in without the authenticator (only its SHA-256)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Invitation(Base):
    """A link that lets a person set their password (and enrol their second factor): for a
    new account, or after an administrator reset the password. Only its SHA-256 is stored."""

    __tablename__ = "invitation"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Submission(Base):
    """A form that was carried out, by its one-time key: the same form posted again (a double
    click, a retry after a network error or a worker crash) creates nothing new and shows
    what the first one made. Inserted in the transaction that does the work."""

    __tablename__ = "submission"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # What it made, for the adapter to show again (e.g. a reference code).
    result: Mapped[str] = mapped_column(String(200), default="")
