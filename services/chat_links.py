"""Linking a Slack user to a web account (`koppla`), so the bot knows their role.

The bot asks for a one-time link; the person opens it, logs in on the web site and confirms.
Only a hash of the token is stored; a link lasts 30 minutes and works once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor
from domain.errors import RuleViolation
from domain.events import EventKind
from domain.text import N_
from services import history
from services.users import actor_of, link_matrix_user, link_slack_user
from storage.models import ChatLink, User

LINK_LIFETIME = timedelta(minutes=30)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_link(
    session: Session,
    *,
    slack_user_id: str | None = None,
    matrix_user_id: str | None = None,
    now: datetime,
) -> str:
    """A new one-time token for this Slack (or Matrix) user; put it in the link the bot
    replies with."""
    token = secrets.token_urlsafe(24)
    session.add(
        ChatLink(
            token_hash=_hash(token),
            slack_user_id=slack_user_id,
            matrix_user_id=matrix_user_id,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    session.flush()
    return token


def confirm_link(session: Session, *, actor: Actor, token: str, now: datetime) -> str:
    """Links the logged-in user to the chat user that asked; returns that user's id."""
    link = session.scalars(
        select(ChatLink).where(ChatLink.token_hash == _hash(token or "")).with_for_update()
    ).first()
    if link is None or link.used_at is not None or link.expires_at < now:
        raise RuleViolation(
            N_(
                "This link has expired or has already been used. Send the bot the command "
                "koppla in Slack to get a new one."
            )
        )
    user = session.get(User, actor.user_id)
    if link.matrix_user_id:
        link_matrix_user(session, user=user, matrix_user_id=link.matrix_user_id)
    else:
        link_slack_user(session, user=user, slack_user_id=link.slack_user_id or "")
    link.used_at = now
    link.user_id = actor.user_id
    history.record(session, kind=EventKind.CHAT_LINKED, at=now, actor=actor)
    return link.matrix_user_id or link.slack_user_id or ""


def actor_for_slack_user(session: Session, slack_user_id: str) -> Actor | None:
    """The linked, active user behind a Slack user id, or None."""
    user = session.scalars(
        select(User).where(User.slack_user_id == slack_user_id, User.active.is_(True))
    ).first()
    return actor_of(user) if user else None


def actor_for_matrix_user(session: Session, matrix_user_id: str) -> Actor | None:
    """The linked, active user behind a Matrix user id, or None."""
    user = session.scalars(
        select(User).where(User.matrix_user_id == matrix_user_id, User.active.is_(True))
    ).first()
    return actor_of(user) if user else None
