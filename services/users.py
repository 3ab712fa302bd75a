"""Use cases for users: add one, check a password, know who someone is (their Actor)."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.access import Actor
from domain.choices import Role
from domain.errors import RuleViolation
from domain.events import EventKind
from domain.text import N_
from services import history
from storage.models import Municipality, User

MIN_PASSWORD = 12
_hasher = PasswordHasher()


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, role=user.role, municipality_id=user.municipality_id)


def normalise_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise RuleViolation(N_("Enter a valid e-mail address."), field="email") from None


def find_user_by_email(session: Session, email: str) -> User | None:
    wanted = (email or "").strip().lower()
    return session.scalars(select(User).where(func.lower(User.email) == wanted)).first()


def add_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role | str,
    municipality: Municipality | None = None,
    slack_user_id: str | None = None,
    password: str | None = None,
    now: datetime,
) -> User:
    email = normalise_email(email)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise RuleViolation(N_("Enter the user's name (at most 200 characters)."), field="name")
    try:
        role = Role(role)
    except ValueError:
        raise RuleViolation(
            N_("Unknown role %(role)s. Choose one of: %(roles)s."),
            field="role",
            role=str(role),
            roles=", ".join(r.value for r in Role),
        ) from None
    if role is Role.MUNICIPALITY_CONTACT and municipality is None:
        raise RuleViolation(
            N_("A municipality contact must belong to a municipality."), field="municipality"
        )
    if role is not Role.MUNICIPALITY_CONTACT and municipality is not None:
        raise RuleViolation(
            N_("Only municipality contacts belong to a municipality."), field="municipality"
        )
    if find_user_by_email(session, email) is not None:
        raise RuleViolation(
            N_("There is already a user with the e-mail address %(email)s."),
            field="email",
            email=email,
        )
    slack_user_id = (slack_user_id or "").strip() or None
    if slack_user_id is not None:
        link_slack_user(session, user=None, slack_user_id=slack_user_id)
    user = User(
        email=email,
        name=name,
        role=role,
        municipality=municipality,
        slack_user_id=slack_user_id,
        password_hash=hash_password(password) if password else None,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    history.record(
        session,
        kind=EventKind.USER_ADDED,
        at=now,
        actor=None,
        user_id=user.id,
        role=role.value,
        municipality_id=municipality.id if municipality else None,
    )
    return user


def link_slack_user(session: Session, *, user: User | None, slack_user_id: str) -> None:
    """Refuses a Slack user id that already belongs to another account; links it otherwise."""
    taken = session.scalars(select(User).where(User.slack_user_id == slack_user_id)).first()
    if taken is not None and taken is not user:
        raise RuleViolation(
            N_("The Slack user %(slack_user)s is already linked to another account."),
            field="slack_user",
            slack_user=slack_user_id,
        )
    if user is not None:
        user.slack_user_id = slack_user_id


def link_matrix_user(session: Session, *, user: User | None, matrix_user_id: str) -> None:
    """Refuses a Matrix user id that already belongs to another account; links it otherwise."""
    taken = session.scalars(select(User).where(User.matrix_user_id == matrix_user_id)).first()
    if taken is not None and taken is not user:
        raise RuleViolation(
            N_("The Matrix user %(matrix_user)s is already linked to another account."),
            field="matrix_user",
            matrix_user=matrix_user_id,
        )
    if user is not None:
        user.matrix_user_id = matrix_user_id


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise RuleViolation(
            N_("The password must be at least %(min)s characters long."),
            field="password",
            min=MIN_PASSWORD,
        )
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    """True if the password is right; upgrades the stored hash when parameters changed."""
    if not user.active or not user.password_hash:
        return False
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True
