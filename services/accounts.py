"""The administrator's use cases for accounts: find, invite, change, deactivate and
reactivate, unlock, reset the password or the second factor, link or unlink a Slack user.

Only the administrator may (domain.access.check_manages_accounts; `actor=None` is the
operator on the command line). Every change is an event about the account
(domain.account_events), and a change to who someone is or how they log in ends all their
sessions at once.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from domain.access import Actor, check_manages_accounts
from domain.account_events import ACCOUNT_KINDS, MUNICIPALITY_KINDS
from domain.choices import Role
from domain.errors import NotFound, RuleViolation
from domain.events import EventKind
from domain.text import N_
from domain.typed_events import (
    ChatLinked,
    ChatUnlinked,
    DemoRemoved,
    PasswordReset,
    PasswordSet,
    SecondFactorReset,
    SessionsEnded,
    UserChanged,
    UserDeactivated,
    UserReactivated,
    UserUnlocked,
)
from services import history, invitations, login, second_factor, users, web_sessions
from storage.models import Event, Municipality, User

SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{8,39}")
SHOWN = 500


def list_users(
    session: Session,
    *,
    actor: Actor | None,
    query: str = "",
    role: Role | None = None,
    active: bool | None = None,
) -> list[User]:
    """Accounts whose name or e-mail address contains `query`, by name."""
    check_manages_accounts(actor)
    statement = select(User).order_by(func.lower(User.name), User.id).limit(SHOWN)
    wanted = (query or "").strip().lower()[:100]
    if wanted:
        pattern = f"%{wanted}%"
        statement = statement.where(
            or_(func.lower(User.name).like(pattern), func.lower(User.email).like(pattern))
        )
    if role is not None:
        statement = statement.where(User.role == role)
    if active is not None:
        statement = statement.where(User.active.is_(active))
    return list(session.scalars(statement))


def get_user(session: Session, *, actor: Actor | None, user_id: int) -> User:
    check_manages_accounts(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("There is no such account."))
    return user


def user_by_email(session: Session, *, actor: Actor | None, email: str) -> User:
    check_manages_accounts(actor)
    user = users.find_user_by_email(session, email)
    if user is None:
        raise NotFound(N_("There is no account with the e-mail address %(email)s."), email=email)
    return user


def _municipality(session: Session, municipality_id: int | None) -> Municipality | None:
    if municipality_id is None:
        return None
    found = session.get(Municipality, municipality_id)
    if found is None:
        raise RuleViolation(
            N_("Choose one of the municipalities in the list."), field="municipality"
        )
    return found


def _end_sessions(session: Session, user: User, actor: Actor | None, now: datetime) -> None:
    count = web_sessions.end_all_for_user(session, user_id=user.id)
    if count:
        history.record(
            session, SessionsEnded(subject_user_id=user.id, count=count), at=now, actor=actor
        )


def invite_user(
    session: Session,
    *,
    actor: Actor | None,
    email: str,
    name: str,
    role: Role | str,
    municipality_id: int | None,
    external_identity: str | None = None,
    now: datetime,
    phone: str = "",
    title: str = "",
) -> tuple[User, str]:
    """A new account without a password, and the token of its invitation link."""
    check_manages_accounts(actor)
    user = users.add_user(
        session,
        email=email,
        name=name,
        role=role,
        municipality=_municipality(session, municipality_id),
        external_identity=external_identity,
        actor=actor,
        now=now,
        phone=phone,
        title=title,
    )
    return user, invitations.invite(session, user=user, actor=actor, now=now)


def change_user(
    session: Session,
    *,
    actor: Actor | None,
    user_id: int,
    name: str,
    role: Role | str,
    municipality_id: int | None,
    external_identity: str | None,
    now: datetime,
) -> list[str]:
    """Changes what differs; returns the names of the changed fields. A new role or
    municipality ends the person's sessions: their access changes at once."""
    user = get_user(session, actor=actor, user_id=user_id)
    new_name = users.checked_name(name)
    new_role = users.checked_role(role)
    municipality = _municipality(session, municipality_id)
    users.check_role_municipality(new_role, municipality)
    identity = users.checked_identity(session, external_identity, user=user)
    changed = [
        field
        for field, old, new in (
            ("name", user.name, new_name),
            ("role", user.role, new_role),
            ("municipality", user.municipality_id, municipality.id if municipality else None),
            ("external_identity", user.external_identity, identity),
        )
        if old != new
    ]
    if not changed:
        return []
    if actor is not None and user.id == actor.user_id and "role" in changed:
        raise RuleViolation(N_("You cannot change your own role."), field="role")
    user.name, user.role, user.external_identity = new_name, new_role, identity
    user.municipality = municipality
    history.record(
        session,
        UserChanged(
            subject_user_id=user.id,
            municipality_id=municipality.id if municipality else None,
            fields=tuple(changed),
            role=new_role.value,
        ),
        at=now,
        actor=actor,
    )
    if {"role", "municipality", "external_identity"} & set(changed):
        _end_sessions(session, user, actor, now)
    return changed


def deactivate(session: Session, *, actor: Actor | None, user_id: int, now: datetime) -> User:
    user = get_user(session, actor=actor, user_id=user_id)
    if actor is not None and user.id == actor.user_id:
        raise RuleViolation(N_("You cannot deactivate your own account."))
    if user.active:
        user.active = False
        history.record(session, UserDeactivated(subject_user_id=user.id), at=now, actor=actor)
    _end_sessions(session, user, actor, now)
    return user


def reactivate(session: Session, *, actor: Actor | None, user_id: int, now: datetime) -> User:
    user = get_user(session, actor=actor, user_id=user_id)
    if not user.active:
        user.active = True
        history.record(session, UserReactivated(subject_user_id=user.id), at=now, actor=actor)
    return user


def unlock(session: Session, *, actor: Actor | None, user_id: int, now: datetime) -> User:
    """Forgets the account's failed logins from every address."""
    user = get_user(session, actor=actor, user_id=user_id)
    login.unlock(session, email=user.email)
    history.record(session, UserUnlocked(subject_user_id=user.id), at=now, actor=actor)
    return user


def reset_password(session: Session, *, actor: Actor | None, user_id: int, now: datetime) -> str:
    """The password stops working, every session ends, and the person sets a new one
    through the invitation link whose token is returned."""
    user = get_user(session, actor=actor, user_id=user_id)
    user.password_hash = None
    history.record(session, PasswordReset(subject_user_id=user.id), at=now, actor=actor)
    _end_sessions(session, user, actor, now)
    return invitations.invite(session, user=user, actor=actor, now=now)


def set_password(
    session: Session, *, actor: Actor | None, user_id: int, password: str, now: datetime
) -> User:
    """The operator sets a password typed at a prompt (`mm user reset --password`)."""
    user = get_user(session, actor=actor, user_id=user_id)
    user.password_hash = users.hash_password(password, personal=(user.name, user.email))
    history.record(session, PasswordSet(subject_user_id=user.id), at=now, actor=actor)
    _end_sessions(session, user, actor, now)
    return user


def reset_second_factor(
    session: Session, *, actor: Actor | None, user_id: int, now: datetime
) -> User:
    """The authenticator and recovery codes stop working; the next login enrols new ones."""
    user = get_user(session, actor=actor, user_id=user_id)
    second_factor.clear(session, user=user)
    history.record(session, SecondFactorReset(subject_user_id=user.id), at=now, actor=actor)
    _end_sessions(session, user, actor, now)
    return user


def link_slack_user(
    session: Session, *, actor: Actor | None, user_id: int, slack_user_id: str, now: datetime
) -> User:
    user = get_user(session, actor=actor, user_id=user_id)
    slack_user_id = (slack_user_id or "").strip().upper()
    if not SLACK_USER_ID.fullmatch(slack_user_id):
        raise RuleViolation(
            N_("%(slack_user)s is not a Slack member id. It looks like U012AB3CD."),
            field="slack_user",
            slack_user=slack_user_id,
        )
    users.link_slack_user(session, user=user, slack_user_id=slack_user_id)
    history.record(session, ChatLinked(subject_user_id=user.id), at=now, actor=actor)
    return user


def unlink_slack_user(
    session: Session, *, actor: Actor | None, user_id: int, now: datetime
) -> User:
    user = get_user(session, actor=actor, user_id=user_id)
    if user.slack_user_id is not None:
        user.slack_user_id = None
        history.record(session, ChatUnlinked(subject_user_id=user.id), at=now, actor=actor)
    return user


def account_history(
    session: Session, *, actor: Actor | None, user_id: int | None = None, limit: int = 200
) -> list[Event]:
    """What happened to accounts and municipalities, the newest first (one account's only
    when `user_id` is given)."""
    check_manages_accounts(actor)
    statement = select(Event).order_by(Event.at.desc(), Event.id.desc()).limit(limit)
    if user_id is not None:
        statement = statement.where(Event.subject_user_id == user_id)
    else:
        statement = statement.where(
            or_(
                Event.kind.in_(ACCOUNT_KINDS - {EventKind.LOGGED_IN}),
                Event.kind.in_(MUNICIPALITY_KINDS),
            )
        )
    return list(session.scalars(statement))


NOT_DEMO = N_("%(email)s is not a demo user: codes are shown only for demo users.")


def has_real_users(session: Session) -> bool:
    """Whether any account was made for a real person (not by `mm demo`)."""
    return (
        session.scalars(select(User.id).where(User.is_demo.is_(False)).limit(1)).first() is not None
    )


def demo_code(session: Session, *, email: str, now: datetime) -> str:
    """The current authenticator code of a demo user, for trying the site; nobody else's."""
    user = users.find_user_by_email(session, email)
    if user is None or not user.is_demo or not user.active or not user.totp_secret:
        raise RuleViolation(NOT_DEMO, email=(email or "").strip())
    return second_factor.code_at(user.totp_secret, now)


def remove_demo_users(session: Session, *, now: datetime) -> int:
    """Demo accounts can never log in again: deactivated, without password, second factor,
    Slack link or sessions. (The rows stay: the history and the demo referrals name them.)"""
    removed = 0
    for user in session.scalars(select(User).where(User.is_demo.is_(True), User.active.is_(True))):
        user.active = False
        user.password_hash = None
        user.slack_user_id = None
        second_factor.clear(session, user=user)
        web_sessions.end_all_for_user(session, user_id=user.id)
        history.record(session, DemoRemoved(subject_user_id=user.id), at=now, actor=None)
        removed += 1
    return removed
