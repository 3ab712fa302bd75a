"""Linking a chat user (Slack or Matrix) to a web account (`koppla`), so the bot knows
their role.

The bot asks for a one-time link; the person opens it, logs in on the web site and confirms.
Only a hash of the token is stored; a link lasts 30 minutes and works once. The page names
the chat user asking, and an account already linked to another user of the same chat is
moved only when the person says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor
from domain.errors import NotFound, RuleViolation
from domain.text import N_
from domain.tokens import new_token, token_hash
from domain.typed_events import ChatLinked
from services import history
from services.kept_answers import kept
from services.users import actor_of, link_matrix_user, link_slack_user
from storage.models import ChatLink, User

LINK_LIFETIME = timedelta(minutes=30)


def start_link(
    session: Session,
    *,
    slack_user_id: str | None = None,
    matrix_user_id: str | None = None,
    now: datetime,
    slack_user_name: str | None = None,
    slack_team: str | None = None,
) -> str:
    """A new one-time token for this Slack (or Matrix) user; put it in the link the bot
    replies with. The Slack user's name and workspace, as Slack gave them, are shown when
    confirming."""
    token = new_token()
    session.add(
        ChatLink(
            token_hash=token_hash(token),
            slack_user_id=slack_user_id,
            matrix_user_id=matrix_user_id,
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

    slack_user_id: str | None
    slack_user_name: str | None
    slack_team: str | None
    current_slack_user_id: str | None
    matrix_user_id: str | None = None
    current_matrix_user_id: str | None = None


def _live_link(session: Session, token: str, now: datetime) -> ChatLink:
    link = session.scalars(
        select(ChatLink).where(ChatLink.token_hash == token_hash(token)).with_for_update()
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
        matrix_user_id=link.matrix_user_id,
        current_matrix_user_id=user.matrix_user_id if user else None,
    )


def confirm_link(
    session: Session, *, actor: Actor, token: str, now: datetime, replace: bool = False
) -> str:
    """Links the logged-in user to the chat user that asked; returns that user's id. An
    account already linked to another user of that chat is moved only when `replace` says
    so."""
    link = _live_link(session, token, now)
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound(N_("There is no such user."))
    current: str | None
    asking: str | None
    if link.matrix_user_id:
        current, asking = user.matrix_user_id, link.matrix_user_id
        taken = N_(
            "Your account is already linked to the Matrix user %(chat_user)s. Tick the box "
            "to replace that link, if you mean to."
        )
    else:
        current, asking = user.slack_user_id, link.slack_user_id
        taken = N_(
            "Your account is already linked to the Slack user %(chat_user)s. Tick the box "
            "to replace that link, if you mean to."
        )
    if current not in (None, asking) and not replace:
        raise RuleViolation(taken, field="replace", chat_user=current)
    if link.matrix_user_id:
        link_matrix_user(session, user=user, matrix_user_id=link.matrix_user_id)
    else:
        link_slack_user(session, user=user, slack_user_id=link.slack_user_id or "")
    link.used_at = now
    link.user_id = user.id
    history.record(session, ChatLinked(subject_user_id=user.id), at=now, actor=actor)
    return link.matrix_user_id or link.slack_user_id or ""


def actor_for_slack_user(session: Session, slack_user_id: str) -> Actor | None:
    """The linked, active user behind a Slack user id, or None. Asked by every chat command:
    the three columns an Actor is made of, not the whole account as an ORM object; kept
    while the database reads the same (services.kept_answers), as it was the largest part
    of a served `/mm platser` (issue 24). A link, an unlink or a deactivation is a write:
    the next command reads the account again."""

    def read() -> Actor | None:
        found = session.execute(
            select(User.id, User.role, User.municipality_id).where(
                User.slack_user_id == slack_user_id, User.active.is_(True)
            )
        ).first()
        return actor_of(found) if found else None

    return kept(session, "slack asker", slack_user_id, read)


def actor_for_matrix_user(session: Session, matrix_user_id: str) -> Actor | None:
    """The linked, active user behind a Matrix user id, or None."""
    user = session.scalars(
        select(User).where(User.matrix_user_id == matrix_user_id, User.active.is_(True))
    ).first()
    return actor_of(user) if user else None
