"""The steps of a login kept in the session between requests: the password (or invitation)
has been accepted, and the second factor is still to come. A pending step lasts five minutes
and belongs to this browser's session only; the person is not logged in until it is done."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, redirect, session, url_for
from flask_login import login_user

from domain.authentication import SECOND_FACTOR_TIME, needs_second_factor
from services.login import finish_login
from storage.models import User
from web import runtime
from web.auth import WebUser, home_url, safe_next
from web.sessions import ServerSession

PENDING = "mm_pending_login"
ENROL_SECRET = "mm_enrol_secret"
RECOVERY_CODES = "mm_recovery_codes"
NEXT = "mm_next"
# The first factor of a pending login: a password, or the identity provider's login.
PASSWORD = "password"
OIDC = "oidc"


def second_factor_needed(user: User) -> bool:
    return needs_second_factor(
        user.role, required_for_all=current_app.config["MM_SECOND_FACTOR_FOR_ALL"]
    )


def begin(user: User, next_url: str | None, first_factor: str = PASSWORD) -> Any:
    """The first factor is done: on to the second, or in when none is needed. After the
    identity provider the caller has decided that the site's code is needed."""
    if first_factor == PASSWORD and not second_factor_needed(user):
        return complete(user, "password_only", next_url)
    session[PENDING] = {
        "user_id": user.id,
        "until": (runtime.now() + SECOND_FACTOR_TIME).isoformat(),
        "first": first_factor,
    }
    session.pop(ENROL_SECRET, None)
    if safe_next(next_url):
        session[NEXT] = next_url
    if user.totp_secret:
        return redirect(url_for("account.code"))
    return redirect(url_for("account.enrol"))


def pending_user_id() -> int | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    try:
        until = datetime.fromisoformat(pending["until"])
    except (KeyError, TypeError, ValueError):
        return None
    if runtime.now() > until:
        session.pop(PENDING, None)
        return None
    user_id = pending.get("user_id")
    return user_id if isinstance(user_id, int) else None


def method_with_code(recovery: bool) -> str:
    """How the pending login was made, for the event log, once its code is accepted."""
    pending = session.get(PENDING)
    first = pending.get("first") if isinstance(pending, dict) else None
    if first == OIDC:
        return "oidc_recovery" if recovery else "oidc_code"
    return "recovery" if recovery else "password"


def complete(
    user: User, method: str, next_url: str | None = None, codes: list[str] | None = None
) -> Any:
    """Logged in: a new session (a new token, nothing carried over but where to go), the
    login written to the event log, and on to the page asked for."""
    target = safe_next(next_url) or safe_next(session.get(NEXT))
    with runtime.transaction() as db:
        fresh = db.get(User, user.id)
        assert fresh is not None
        finish_login(db, user=fresh, method=method, now=runtime.now())
        web_user = WebUser(fresh)
    if isinstance(session, ServerSession):
        session.regenerate()
    else:  # pragma: no cover - the site always installs server sessions
        session.clear()
    login_user(web_user)
    if codes:
        session[RECOVERY_CODES] = codes
        if target:
            session[NEXT] = target
        return redirect(url_for("account.recovery_codes"))
    return redirect(target or home_url())
