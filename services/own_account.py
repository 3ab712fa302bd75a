"""What people do with their own account on "Mina inställningar": change the password, make
new recovery codes, see their sessions and end the others."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from domain.access import Actor
from domain.errors import NotFound, RuleViolation
from domain.text import N_
from domain.tokens import token_hash
from domain.typed_events import PasswordSet, RecoveryCodesRenewed, SecondFactorEnrolled
from services import history, second_factor, users, web_sessions
from storage.models import User


def _me(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise NotFound(N_("There is no such account."))
    return user


def change_password(
    session: Session,
    *,
    actor: Actor,
    current: str,
    new: str,
    keep_token: str | None,
    now: datetime,
) -> int:
    """A new password, after the current one; every other session ends (returns how many)."""
    user = _me(session, actor)
    if not users.check_password(user, current):
        raise RuleViolation(N_("The current password is wrong."), field="current_password")
    if current == new:
        raise RuleViolation(
            N_("The new password must differ from the current one."), field="password"
        )
    user.password_hash = users.hash_password(new, personal=(user.name, user.email))
    history.record(session, PasswordSet(subject_user_id=user.id), at=now, actor=actor)
    return web_sessions.end_all_for_user(session, user_id=user.id, keep_token=keep_token)


def renew_recovery_codes(session: Session, *, actor: Actor, now: datetime) -> list[str]:
    user = _me(session, actor)
    if not user.totp_secret:
        raise RuleViolation(N_("You have no authenticator enrolled yet."))
    codes = second_factor.new_recovery_codes(session, user=user, now=now)
    history.record(session, RecoveryCodesRenewed(subject_user_id=user.id), at=now, actor=actor)
    return codes


def end_other_session(
    session: Session, *, actor: Actor, session_id: str, current_token: str | None
) -> None:
    """Ends one of the person's own sessions (not the one they are using)."""
    if current_token and session_id == token_hash(current_token):
        raise RuleViolation(N_("To end this session, log out."))
    if not web_sessions.end_own_session(
        session, user_id=actor.user_id, token_hash_value=session_id
    ):
        raise NotFound(N_("That session has already ended."))


def enrol_second_factor(
    session: Session, *, user_id: int, secret: str, code: str, now: datetime
) -> list[str]:
    """Saves the authenticator the person just set up (at their first login, or after a
    reset); returns their recovery codes."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound(N_("There is no such account."))
    codes = second_factor.enrol(session, user=user, secret=secret, code=code, now=now)
    history.record(
        session,
        SecondFactorEnrolled(subject_user_id=user.id),
        at=now,
        actor=users.actor_of(user),
    )
    return codes
