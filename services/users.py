"""Use cases for users: add one, check a password, know who someone is (their Actor).

The administrator's changes to accounts are in services.accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.access import Actor
from domain.authentication import login_identity
from domain.choices import Role
from domain.errors import RuleViolation
from domain.names import check_name
from domain.passwords import check_password_strength
from domain.staff import checked_contact_details
from domain.text import N_
from domain.typed_events import UserAdded
from services import history
from services.password_hashing import hasher
from storage.models import Municipality, User

MAX_IDENTITY = 200


class AccountColumns(Protocol):
    """What an Actor is made of: a User, or a row of just these columns."""

    @property
    def id(self) -> int: ...
    @property
    def role(self) -> Role: ...
    @property
    def municipality_id(self) -> int | None: ...


def actor_of(user: AccountColumns) -> Actor:
    return Actor(user_id=user.id, role=user.role, municipality_id=user.municipality_id)


def normalise_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise RuleViolation(N_("Enter a valid e-mail address."), field="email") from None


def find_user_by_email(session: Session, email: str) -> User | None:
    wanted = (email or "").strip().lower()
    return session.scalars(select(User).where(func.lower(User.email) == wanted)).first()


def _check_email_free(session: Session, email: str) -> None:
    """One account per e-mail address (the login name)."""
    if find_user_by_email(session, email) is not None:
        raise RuleViolation(
            N_("There is already a user with the e-mail address %(email)s."),
            field="email",
            email=email,
        )


def add_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role | str,
    municipality: Municipality | None = None,
    slack_user_id: str | None = None,
    password: str | None = None,
    external_identity: str | None = None,
    is_demo: bool = False,
    actor: Actor | None = None,
    now: datetime,
    phone: str = "",
    title: str = "",
) -> User:
    """A new account; without a password it can log in only through an invitation link or
    the identity provider."""
    email = normalise_email(email)
    phone, title = checked_contact_details(phone, title)
    name = checked_name(name)
    role = checked_role(role)
    check_role_municipality(role, municipality)
    external_identity = checked_identity(session, external_identity, user=None)
    _check_email_free(session, email)
    slack_user_id = (slack_user_id or "").strip() or None
    if slack_user_id is not None:
        link_slack_user(session, user=None, slack_user_id=slack_user_id)
    user = User(
        email=email,
        name=name,
        role=role,
        municipality=municipality,
        slack_user_id=slack_user_id,
        password_hash=(
            hash_password(password, personal=(name, email), demo=is_demo) if password else None
        ),
        external_identity=external_identity,
        is_demo=is_demo,
        active=True,
        created_at=now,
        phone=phone,
        title=title,
    )
    session.add(user)
    session.flush()
    history.record(
        session,
        UserAdded(
            subject_user_id=user.id,
            municipality_id=municipality.id if municipality else None,
            role=role.value,
        ),
        at=now,
        actor=actor,
    )
    return user


def checked_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise RuleViolation(N_("Enter the user's name (at most 200 characters)."), field="name")
    check_name(name)
    return name


def checked_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise RuleViolation(
            N_("Unknown role %(role)s. Choose one of: %(roles)s."),
            field="role",
            role=str(role),
            roles=", ".join(r.value for r in Role),
        ) from None


def check_role_municipality(role: Role, municipality: Municipality | None) -> None:
    if role is Role.MUNICIPALITY_CONTACT and municipality is None:
        raise RuleViolation(
            N_("A municipality contact must belong to a municipality."), field="municipality"
        )
    if role is not Role.MUNICIPALITY_CONTACT and municipality is not None:
        raise RuleViolation(
            N_("Only municipality contacts belong to a municipality."), field="municipality"
        )


def checked_identity(session: Session, identity: str | None, *, user: User | None) -> str | None:
    """The identity at the identity provider: optional, unique, at most 200 characters; a
    personnummer kept as 12 digits (domain.authentication.login_identity)."""
    identity = login_identity(identity) or None
    if identity is None:
        return None
    if len(identity) > MAX_IDENTITY:
        raise RuleViolation(
            N_("The text is too long: at most %(limit)s characters."),
            field="external_identity",
            limit=MAX_IDENTITY,
        )
    taken = session.scalars(select(User).where(User.external_identity == identity)).first()
    if taken is not None and taken is not user:
        raise RuleViolation(
            N_("Another account already has this identity at the identity provider."),
            field="external_identity",
        )
    return identity


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


def hash_password(password: str, *, personal: tuple[str, ...] = (), demo: bool = False) -> str:
    """The argon2 hash of a password that meets the policy (domain.passwords); `personal`:
    the person's name and e-mail address, which the password must not contain; `demo`: a demo
    account, which alone may have the published demo password."""
    check_password_strength(password, personal=personal, demo=demo)
    return hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    """True if the password is right; upgrades the stored hash when parameters changed."""
    if not user.active or not user.password_hash:
        return False
    try:
        hasher().verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False
    if hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hasher().hash(password)
    return True


def set_contact_details(
    session: Session, *, actor: Actor, phone: str | None, title: str | None
) -> User:
    """The person's own phone number and title, as the other party of a referral sees them."""
    phone, title = checked_contact_details(phone, title)
    user = session.get_one(User, actor.user_id)
    user.phone, user.title = phone, title
    return user
