"""Invitation links: how a person sets their own password, for a new account or after the
administrator reset it. No password ever travels by mail or chat; the link works once, for 72
hours, and only its SHA-256 is stored."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from domain.access import Actor
from domain.errors import RuleViolation
from domain.text import N_
from domain.tokens import new_token, token_hash
from domain.typed_events import Invited, PasswordSet
from services import history, users, web_sessions
from storage.models import Invitation, User

LIFETIME = timedelta(hours=72)
EXPIRED = N_(
    "This invitation link has expired or has already been used. Ask the administrator for a "
    "new one."
)


def invite(session: Session, *, user: User, actor: Actor | None, now: datetime) -> str:
    """A new link for the user; earlier unused links stop working. Returns the token."""
    session.execute(delete(Invitation).where(Invitation.user_id == user.id))
    token = new_token()
    until = now + LIFETIME
    session.add(
        Invitation(token_hash=token_hash(token), user_id=user.id, created_at=now, expires_at=until)
    )
    history.record(session, Invited(subject_user_id=user.id, until=until), at=now, actor=actor)
    return token


def _valid(session: Session, token: str, now: datetime) -> Invitation:
    invitation = session.scalars(
        select(Invitation).where(Invitation.token_hash == token_hash(token)).with_for_update()
    ).first()
    if invitation is None or invitation.used_at is not None or invitation.expires_at < now:
        raise RuleViolation(EXPIRED)
    user = session.get(User, invitation.user_id)
    if user is None or not user.active:
        raise RuleViolation(EXPIRED)
    return invitation


def invited_user(session: Session, *, token: str, now: datetime) -> User:
    """Whose link this is, if it still works."""
    return session.get(User, _valid(session, token, now).user_id)  # type: ignore[return-value]


def accept(session: Session, *, token: str, password: str, now: datetime) -> User:
    """Sets the password chosen by the person the link is for; the link is used up, and any
    session the account had is ended."""
    invitation = _valid(session, token, now)
    user = session.get(User, invitation.user_id)
    assert user is not None
    user.password_hash = users.hash_password(password, personal=(user.name, user.email))
    invitation.used_at = now
    web_sessions.end_all_for_user(session, user_id=user.id)
    history.record(
        session, PasswordSet(subject_user_id=user.id), at=now, actor=users.actor_of(user)
    )
    return user
