"""API tokens (issue 26): made by the administrator (web or `mm token add`), shown once,
only their SHA-256 kept (the hash the web sessions use); revocable; each used as a person of
its role and municipality would be.

A token acts through an account of its own, never active on the web site (so no login and
no notices reach it): the event log and the audit log name that account, as they name a
person, and the administrator's history of accounts shows when it was made and revoked."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor, check_manages_accounts
from domain.api_tokens import Window, check_token_role, checked_token_name, usable
from domain.choices import Role
from domain.errors import NotFound, RuleViolation
from domain.text import N_
from domain.tokens import new_token, token_hash
from domain.typed_events import UserAdded, UserDeactivated
from services import history
from services.users import check_role_municipality, checked_role
from storage.models import ApiToken, Municipality, User

PREFIX = "mm_"


@dataclass(frozen=True)
class Made:
    token: str  # shown once, never stored
    row: ApiToken


@dataclass(frozen=True)
class Caller:
    """Who an API call is from: the token's account as an actor, and its rate window."""

    actor: Actor
    token_id: int
    limited: bool
    retry_after: int


def add_token(
    session: Session,
    *,
    actor: Actor | None,
    name: str,
    role: Role | str,
    municipality: Municipality | None,
    expires_at: datetime | None,
    now: datetime,
) -> Made:
    check_manages_accounts(actor)
    name = checked_token_name(name)
    role = checked_role(role)
    check_token_role(role)
    check_role_municipality(role, municipality)
    if expires_at is not None and expires_at <= now:
        raise RuleViolation(N_("The expiry date must be in the future."), field="expires")
    if session.scalars(select(ApiToken.id).where(ApiToken.name == name)).first() is not None:
        raise RuleViolation(
            N_("There is already an API token named %(name)s."), field="name", name=name
        )
    token = PREFIX + new_token()
    account = User(
        email=f"api-{secrets.token_hex(8)}@api-token.invalid",
        name=name,
        role=role,
        municipality=municipality,
        active=False,  # never logs in on the web site, never gets a notice
        created_at=now,
    )
    session.add(account)
    session.flush()
    row = ApiToken(
        name=name,
        token_hash=token_hash(token),
        user_id=account.id,
        created_at=now,
        created_by_id=actor.user_id if actor else None,
        expires_at=expires_at,
        window_calls=0,
    )
    session.add(row)
    session.flush()
    history.record(
        session,
        UserAdded(
            subject_user_id=account.id,
            municipality_id=municipality.id if municipality else None,
            role=role.value,
        ),
        at=now,
        actor=actor,
    )
    return Made(token, row)


def list_tokens(session: Session, *, actor: Actor | None) -> list[ApiToken]:
    check_manages_accounts(actor)
    return list(session.scalars(select(ApiToken).order_by(ApiToken.name)))


def revoke_token(
    session: Session,
    *,
    actor: Actor | None,
    now: datetime,
    name: str | None = None,
    token_id: int | None = None,
) -> ApiToken:
    """Refused from now on (by name on the command line, by id on the admin page)."""
    check_manages_accounts(actor)
    if token_id is not None:
        row = session.get(ApiToken, token_id)
    else:
        wanted = (name or "").strip()
        row = session.scalars(select(ApiToken).where(ApiToken.name == wanted)).first()
    if row is None:
        raise NotFound(N_("There is no API token named %(name)s."), name=name or "")
    if row.revoked_at is None:
        row.revoked_at = now
        history.record(session, UserDeactivated(subject_user_id=row.user_id), at=now, actor=actor)
    return row


def caller(session: Session, *, token: str, now: datetime, limit: int) -> Caller | None:
    """The caller behind a bearer token, counted against its rate limit; None for a token
    that is unknown, revoked or expired. The row is locked while counting (PostgreSQL:
    FOR UPDATE; SQLite serialises writers), so concurrent calls are counted one by one."""
    if not token.startswith(PREFIX):
        return None
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token)).with_for_update()
    ).first()
    if row is None or not usable(revoked_at=row.revoked_at, expires_at=row.expires_at, now=now):
        return None
    window = Window(row.window_started_at, row.window_calls).after_call(now)
    row.window_started_at, row.window_calls = window.started_at, window.calls
    row.last_used_at = now
    account = row.user
    return Caller(
        actor=Actor(user_id=account.id, role=account.role, municipality_id=account.municipality_id),
        token_id=row.id,
        limited=window.over(limit),
        retry_after=window.retry_after(now),
    )
