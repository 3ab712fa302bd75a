"""Linking a Slack user to a web account (`koppla`), so the bot knows their role.

The bot asks for a one-time link; the person opens it, logs in on the web site and confirms.
Only a hash of the token is stored; a link lasts 30 minutes and works once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor
from domain.errors import NotFound, RuleViolation
from domain.events import EventKind
from domain.text import N_
from services import history
from services.users import actor_of, link_slack_user
from storage.models import ChatLink, User

LINK_LIFETIME = timedelta(minutes=30)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_link(
    session: Session,
    *,
    slack_user_id: str,
    now: datetime,
    slack_user_name: str | None = None,
    slack_team: str | None = None,
) -> str:
    """A new one-time token for this Slack user; put it in the link the bot replies with.
    The Slack user's name and workspace, as Slack gave them, are shown when confirming."""
    token = secrets.token_urlsafe(24)
    session.add(
        ChatLink(
            token_hash=_hash(token),
            slack_user_id=slack_user_id,
            slack_user_name=(slack_user_name or "")[:80] or None,
            slack_team=(slack_team or "")[:80] or None,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    session.flush()
    return token


EXPIRED = N_(
    "This link has expired or has already been used. Send the bot the command koppla in "
    "Slack to get a new one."
)


@dataclass(frozen=True)
class PendingLink:
    """What the confirmation page shows: who asks, and what the account is linked to now."""

    slack_user_id: str
    slack_user_name: str | None
    slack_team: str | None
    current_slack_user_id: str | None


def _live_link(session: Session, token: str, now: datetime) -> ChatLink:
    link = session.scalars(
        select(ChatLink).where(ChatLink.token_hash == _hash(token or "")).with_for_update()
    ).first()
    if link is None or link.used_at is not None or link.expires_at < now:
        raise RuleViolation(EXPIRED)
    return link


def pending_link(session: Session, *, actor: Actor, token: str, now: datetime) -> PendingLink:
    link = _live_link(session, token, now)
    user = session.get(User, actor.user_id)
    return PendingLink(
        slack_user_id=link.slack_user_id,
        slack_user_name=link.slack_user_name,
        slack_team=link.slack_team,
        current_slack_user_id=user.slack_user_id if user else None,
    )


def confirm_link(
    session: Session, *, actor: Actor, token: str, now: datetime, replace: bool = False
) -> str:
    """Links the logged-in user to the Slack user that asked; returns the Slack user id.
    An account already linked to another Slack user is moved only when `replace` says so."""
    link = _live_link(session, token, now)
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound(N_("There is no such user."))
    if user.slack_user_id not in (None, link.slack_user_id) and not replace:
        raise RuleViolation(
            N_(
                "Your account is already linked to the Slack user %(slack_user)s. Tick the box "
                "to replace that link, if you mean to."
            ),
            field="replace",
            slack_user=user.slack_user_id,
        )
    link_slack_user(session, user=user, slack_user_id=link.slack_user_id)
    link.used_at = now
    link.user_id = user.id
    history.record(
        session, kind=EventKind.CHAT_LINKED, at=now, actor=actor, subject_user_id=user.id
    )
    return link.slack_user_id


def actor_for_slack_user(session: Session, slack_user_id: str) -> Actor | None:
    """The linked, active user behind a Slack user id, or None."""
    user = session.scalars(
        select(User).where(User.slack_user_id == slack_user_id, User.active.is_(True))
    ).first()
    return actor_of(user) if user else None
