"""Logging in: the password, the second factor, or an identity from the organisation's
identity provider; and the limit on failed attempts.

Failed attempts are counted per account and network address in `login_throttle`
(domain.authentication has the rule). The row is locked while the password or code is
checked, so that however many requests arrive at once, no more tries are checked than the
rule allows (PostgreSQL: SELECT … FOR UPDATE; SQLite: every write transaction is serialised
by BEGIN IMMEDIATE).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2.exceptions import VerificationError
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from domain.authentication import (
    ProviderLogin,
    login_identity,
    next_try_at,
    provider_login_strength,
)
from domain.text import N_, Text
from domain.typed_events import LoggedIn
from services import history, second_factor, users
from services.password_hashing import dummy_hash, hasher
from storage.models import LoginThrottle, User

FORGET_AFTER = timedelta(days=1)
MAX_EMAIL = 254
MAX_ADDRESS = 45

WRONG = Text(N_("The e-mail address or the password is wrong."))
TOO_MANY = N_("Too many failed attempts to log in. Try again at %(time)s at the earliest.")
UNKNOWN_IDENTITY = Text(
    N_(
        "You logged in at the identity provider, but there is no account here for you. Ask "
        "the administrator of Möjlighetsmodellen to add you; nothing has been saved."
    )
)
DEACTIVATED = Text(
    N_("Your account has been deactivated. Ask the administrator if you need access again.")
)
WEAK_LOGIN = Text(
    N_(
        "Your role needs a login with two factors (for example SITHS or Efos card) at the "
        "identity provider. Log in again with such a method."
    )
)


@dataclass(frozen=True)
class LoginResult:
    """The user on success; otherwise the sentence to show. `checked`: whether a password or
    code was actually compared (not when the limit stopped the attempt first)."""

    user: User | None
    problem: Text | None = None
    throttled: bool = False
    checked: bool = False
    # Through the identity provider: the site's own second factor is still to be given.
    second_factor_due: bool = False


def _key(email: str, address: str) -> tuple[str, str]:
    return (email or "").strip().lower()[:MAX_EMAIL], (address or "unknown")[:MAX_ADDRESS]


def _locked_throttle(session: Session, email: str, address: str) -> LoginThrottle:
    """The throttle row for the account and address, created if missing, locked until the
    transaction ends."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(LoginThrottle)
        .values(email=email, address=address, failures=0)
        .on_conflict_do_nothing()
    )
    return session.scalars(
        select(LoginThrottle)
        .where(LoginThrottle.email == email, LoginThrottle.address == address)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _refused(throttle: LoginThrottle, now: datetime) -> LoginResult | None:
    if throttle.last_failure_at is not None and now - throttle.last_failure_at > FORGET_AFTER:
        throttle.failures = 0
    allowed_at = next_try_at(throttle.failures, throttle.last_failure_at)
    if allowed_at is not None and now < allowed_at:
        return LoginResult(None, Text(TOO_MANY, {"time": allowed_at}), throttled=True)
    return None


def _failed(session: Session, throttle: LoginThrottle, now: datetime, problem: Text) -> LoginResult:
    throttle.failures += 1
    throttle.last_failure_at = now
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER))
    return LoginResult(None, problem, checked=True)


def check_password(
    session: Session, *, email: str, password: str, address: str, now: datetime
) -> LoginResult:
    """The first step: e-mail and password, unless this account has failed too often from
    this address lately. Never raises for a wrong password: the failure must be saved, so the
    caller commits. Success does not log in yet (see `finish_login`)."""
    email, address = _key(email, address)
    throttle = _locked_throttle(session, email, address)
    refused = _refused(throttle, now)
    if refused is not None:
        return refused
    user = users.find_user_by_email(session, email) if email else None
    if user is not None and users.check_password(user, password):
        session.delete(throttle)
        return LoginResult(user, checked=True)
    if user is None:
        with contextlib.suppress(VerificationError):
            hasher().verify(dummy_hash(), password or "")
    return _failed(session, throttle, now, WRONG)


def check_second_factor(
    session: Session, *, user_id: int, code: str, address: str, now: datetime
) -> LoginResult:
    """The second step: a code from the authenticator, or a recovery code. Wrong codes count
    as failed logins of the account from this address."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return LoginResult(None, DEACTIVATED)
    throttle = _locked_throttle(session, *_key(user.email, address))
    refused = _refused(throttle, now)
    if refused is not None:
        return refused
    if second_factor.is_recovery_code(code):
        ok = second_factor.use_recovery_code(session, user=user, code=code, now=now)
    else:
        ok = second_factor.use_code(session, user=user, code=code, now=now)
    if ok:
        session.delete(throttle)
        return LoginResult(user, checked=True)
    return _failed(session, throttle, now, Text(second_factor.WRONG_CODE))


def check_identity(
    session: Session,
    *,
    claim: str,
    value: str,
    acr: str | None,
    acr_values: frozenset[str],
    second_factor_for_all: bool,
    site_second_factor: bool,
) -> LoginResult:
    """A person the identity provider vouches for: the account an administrator made for
    that identity, if it is active and the login is strong enough for its role (or will be,
    with the site's own second factor: `second_factor_due`). Nothing is ever created here,
    and the identity (a personnummer, perhaps) goes nowhere but into the query."""
    value = (value or "").strip() if claim == "email" else login_identity(value)
    user = None
    if value:
        if claim == "email":
            user = users.find_user_by_email(session, value)
        else:
            user = session.scalars(select(User).where(User.external_identity == value)).first()
    if user is None:
        return LoginResult(None, UNKNOWN_IDENTITY)
    if not user.active:
        return LoginResult(None, DEACTIVATED)
    strength = provider_login_strength(
        user.role,
        acr,
        accepted=acr_values,
        required_for_all=second_factor_for_all,
        site_second_factor=site_second_factor,
    )
    if strength is ProviderLogin.TOO_WEAK:
        return LoginResult(None, WEAK_LOGIN)
    return LoginResult(
        user, checked=True, second_factor_due=strength is ProviderLogin.SECOND_FACTOR
    )


def finish_login(session: Session, *, user: User, method: str, now: datetime) -> None:
    """The login is complete: written to the event log (no personal data: the method)."""
    history.record(
        session,
        LoggedIn(subject_user_id=user.id, method=method),
        at=now,
        actor=users.actor_of(user),
    )


def unlock(session: Session, *, email: str) -> int:
    """Forgets the failed logins of an account, from every address."""
    email = (email or "").strip().lower()
    return int(
        session.execute(delete(LoginThrottle).where(LoginThrottle.email == email)).rowcount  # type: ignore[attr-defined]
    )
