"""Logging in for tests, with the real second factor rather than without it.

`logged_in_cookie` makes a session row exactly as a completed login does (for view tests that
are not about logging in: argon2 is slow on purpose); `enrol` gives a user an authenticator
and `code_for` computes the code their phone would show, one not used before, moving a
test clock forward to the next 30-second step when the current one has been used.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from services import second_factor, web_sessions
from storage.db import unit_of_work
from storage.models import User


def logged_in_cookie(sessions: sessionmaker[Session], user_id: int, now: datetime) -> str:
    """The token of a new session in which `user_id` is logged in."""
    with unit_of_work(sessions) as session:
        return web_sessions.create(
            session,
            data={"_user_id": str(user_id), "_fresh": True},
            user_id=user_id,
            logged_in_at=now,
            now=now,
            address="127.0.0.1",
            user_agent="test",
            limits=web_sessions.Limits(),
        )


def enrol(sessions: sessionmaker[Session], user_id: int, now: datetime) -> str:
    """Gives the user an authenticator (as enrolling at a first login would); its key."""
    secret = second_factor.new_secret()
    with unit_of_work(sessions) as session:
        user = session.get(User, user_id)
        user.totp_secret = secret
        user.totp_enrolled_at = now
    return secret


def code_for(
    sessions: sessionmaker[Session], email: str, clock=None, now: datetime | None = None
) -> str:
    """A code the site will accept for the user now: when the current step's code was used
    already and a movable clock is given, the clock moves to the next step."""
    with unit_of_work(sessions) as session:
        from services.users import find_user_by_email

        user = find_user_by_email(session, email)
        secret, last = user.totp_secret, user.totp_last_step
    moment = clock.now() if clock is not None else now
    if last is not None and second_factor.step_at(moment) <= last:
        if clock is None:
            raise AssertionError("this step's code was used; give a clock that can move")
        steps = last - second_factor.step_at(moment) + 1
        clock.advance(timedelta(seconds=second_factor.STEP_SECONDS * steps))
        moment = clock.now()
    return second_factor.code_at(secret, moment)
