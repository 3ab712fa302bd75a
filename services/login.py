"""Logging in: the password check with a limit on failed attempts.

Failed attempts are rows in the database (`login_failure`), so the limit holds however many
web workers serve the site. An account gets a few tries in a window; one network address gets
more (a whole office may share it). While a limit is reached no password is even checked.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from domain.events import EventKind
from domain.text import N_, Text
from services import history, users
from storage.models import LoginFailure, User

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 30
KEEP = timedelta(days=1)
MAX_EMAIL = 254
MAX_ADDRESS = 45

# Verified when the e-mail address is unknown, so that the answer takes as long either way.
_DUMMY_HASH = PasswordHasher().hash("no such user, no such password")


@dataclass(frozen=True)
class LoginResult:
    """The user on success; otherwise the sentence to show and nothing else."""

    user: User | None
    problem: Text | None = None
    throttled: bool = False


WRONG = Text(N_("The e-mail address or the password is wrong."))
TOO_MANY = N_("Too many failed attempts to log in. Wait %(minutes)s minutes and try again.")


def _failures(
    session: Session, column: InstrumentedAttribute[str], value: str, since: datetime
) -> int:
    counted = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(column == value, LoginFailure.at > since)
    )
    return counted or 0


def log_in(
    session: Session, *, email: str, password: str, address: str, now: datetime
) -> LoginResult:
    """Checks the password unless the account or the address has failed too often lately.

    Never raises for a wrong password: the failure must be saved, so the caller commits."""
    email = (email or "").strip().lower()[:MAX_EMAIL]
    address = (address or "unknown")[:MAX_ADDRESS]
    since = now - WINDOW
    if (
        _failures(session, LoginFailure.email, email, since) >= MAX_PER_ACCOUNT
        or _failures(session, LoginFailure.address, address, since) >= MAX_PER_ADDRESS
    ):
        minutes = int(WINDOW.total_seconds() // 60)
        return LoginResult(None, Text(TOO_MANY, {"minutes": minutes}), throttled=True)
    user = users.find_user_by_email(session, email) if email else None
    if user is not None and users.check_password(user, password):
        session.execute(delete(LoginFailure).where(LoginFailure.email == email))
        history.record(session, kind=EventKind.LOGGED_IN, at=now, actor=users.actor_of(user))
        return LoginResult(user)
    if user is None:
        with contextlib.suppress(VerificationError):
            PasswordHasher().verify(_DUMMY_HASH, password or "")
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - KEEP))
    session.add(LoginFailure(email=email, address=address, at=now))
    return LoginResult(None, WRONG)
