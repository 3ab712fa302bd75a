"""Sessions on the web site, kept in the database (`web_session`).

Every gunicorn worker and host reads the same rows, so logging out, an administrator's change
to an account, or the user ending one of their own sessions takes effect at once everywhere.
A session ends after `idle` without a request and `lifetime` after the login, whichever
comes first. The cookie carries a random token; the table holds only its SHA-256, so a copy
of the database opens no session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from domain.choices import Role
from domain.tokens import new_token, token_hash
from storage.models import Municipality, User, WebSession

IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=8)
# A request refreshes `last_seen_at` at most this often: a write per page is not needed to
# keep a 30-minute idle limit.
TOUCH_EVERY = timedelta(seconds=60)
MAX_ADDRESS, MAX_AGENT = 45, 200


@dataclass(frozen=True)
class Limits:
    idle: timedelta = IDLE
    lifetime: timedelta = LIFETIME


def _expired(row: WebSession, now: datetime, limits: Limits) -> bool:
    return _ended(row.created_at, row.last_seen_at, row.logged_in_at, now, limits)


def _ended(
    created_at: datetime,
    last_seen_at: datetime,
    logged_in_at: datetime | None,
    now: datetime,
    limits: Limits,
) -> bool:
    started = logged_in_at or created_at
    return now - last_seen_at > limits.idle or now - started > limits.lifetime


@dataclass(frozen=True)
class Person:
    """The account a session row names, read with the row."""

    id: int
    name: str
    role: Role
    municipality_id: int | None
    municipality: str | None  # its name
    active: bool


@dataclass(frozen=True)
class Live:
    """What a request needs of its session row."""

    data: dict[str, Any]
    last_seen_at: datetime
    person: Person | None = None  # the account in the row's user_id, if any


_LIVE = (
    select(
        WebSession.data,
        WebSession.created_at,
        WebSession.last_seen_at,
        WebSession.logged_in_at,
        User.id,
        User.name,
        User.role,
        User.municipality_id,
        Municipality.name,
        User.active,
    )
    .outerjoin(User, User.id == WebSession.user_id)
    .outerjoin(Municipality, Municipality.id == User.municipality_id)
)


def live(session: Session, *, token: str, now: datetime, limits: Limits) -> Live | bool | None:
    """The live session behind a cookie's token, with the account it names, in one
    statement, read only: None when there is none, False when it has expired (the caller
    ends it, in a transaction that may write)."""
    if not token:
        return None
    row = session.execute(_LIVE.where(WebSession.token_hash == token_hash(token))).first()
    if row is None:
        return None
    data, created_at, last_seen_at, logged_in_at, user_id, *person = row
    if _ended(created_at, last_seen_at, logged_in_at, now, limits):
        return False
    return Live(dict(data), last_seen_at, Person(user_id, *person) if user_id is not None else None)


def create(
    session: Session,
    *,
    data: dict[str, Any],
    user_id: int | None,
    logged_in_at: datetime | None,
    now: datetime,
    address: str,
    user_agent: str,
    limits: Limits,
) -> str:
    """A new session; returns the token for the cookie. Expired sessions are swept here."""
    session.execute(
        delete(WebSession).where(
            or_(
                WebSession.last_seen_at < now - limits.idle,
                WebSession.created_at < now - limits.lifetime,
            )
        )
    )
    token = new_token()
    session.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user_id,
            data=data,
            created_at=now,
            last_seen_at=now,
            logged_in_at=logged_in_at,
            address=(address or "")[:MAX_ADDRESS],
            user_agent=(user_agent or "")[:MAX_AGENT],
        )
    )
    return token


def save(
    session: Session,
    *,
    token: str,
    data: dict[str, Any] | None,
    user_id: int | None,
    now: datetime,
) -> bool:
    """Writes a known session back (new data and/or the time of this request). Never brings
    back a session that was ended meanwhile: False then."""
    values: dict[str, Any] = {"last_seen_at": now}
    if data is not None:
        values.update(data=data, user_id=user_id)
    result = session.execute(
        update(WebSession).where(WebSession.token_hash == token_hash(token)).values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end(session: Session, *, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def end_all_for_user(session: Session, *, user_id: int, keep_token: str | None = None) -> int:
    """Ends every session of the user (but `keep_token`'s); returns how many ended."""
    query = delete(WebSession).where(WebSession.user_id == user_id)
    if keep_token:
        query = query.where(WebSession.token_hash != token_hash(keep_token))
    return int(session.execute(query).rowcount)  # type: ignore[attr-defined]


def sessions_of(
    session: Session, *, user_id: int, now: datetime, limits: Limits
) -> list[WebSession]:
    """The user's live sessions, the most recently used first."""
    rows = session.scalars(
        select(WebSession)
        .where(WebSession.user_id == user_id)
        .order_by(WebSession.last_seen_at.desc())
    ).all()
    return [row for row in rows if not _expired(row, now, limits)]


def end_own_session(session: Session, *, user_id: int, token_hash_value: str) -> bool:
    """The user ends one of their own sessions (by the hash shown on their page)."""
    result = session.execute(
        delete(WebSession).where(
            WebSession.user_id == user_id, WebSession.token_hash == token_hash_value
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
