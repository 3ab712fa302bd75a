"""Who is logged in (Flask-Login), and which roles may open a page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from domain.access import Actor
from domain.choices import Role
from services import web_sessions
from storage.db import unit_of_work
from storage.models import User
from web import runtime

login_manager = LoginManager()
login_manager.session_protection = "basic"


class WebUser(UserMixin):
    """The logged-in person, detached from the database session it was read in."""

    def __init__(self, user: User | web_sessions.Person) -> None:
        self.id = user.id
        self.name = user.name
        self.role = user.role
        self.municipality_id = user.municipality_id
        if isinstance(user, User):
            self.municipality = user.municipality.name if user.municipality else None
        else:  # read with the session row (services.web_sessions.live)
            self.municipality = user.municipality

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.id, role=self.role, municipality_id=self.municipality_id)


def read_user(db: Session, user_id: int) -> WebUser | None:
    """The person behind a session: none when the account is gone or switched off."""
    user = db.get(User, user_id)
    return WebUser(user) if user is not None and user.active else None


def user_of(person: web_sessions.Person) -> WebUser | None:
    """The person read with the session row; none when the account is switched off."""
    return WebUser(person) if person.active else None


def remember_user(user_id: int, found: WebUser | None) -> None:
    """The person read with the session row (web.sessions), in the same read-only unit of
    work: the loader below then opens no second transaction for the same request."""
    g.mm_user = (user_id, found)


@login_manager.user_loader
def _load(user_id: str) -> WebUser | None:
    if not user_id.isdigit():
        return None
    known = g.get("mm_user")
    if known is not None and known[0] == int(user_id):
        return known[1]
    try:
        with unit_of_work(current_app.extensions["mm.sessions"], read_only=True) as session:
            return read_user(session, int(user_id))
    except SQLAlchemyError:
        return None


@login_manager.unauthorized_handler
def _to_login() -> Any:
    return redirect(url_for("account.login", next=request.full_path.rstrip("?")))


def install(app: Flask) -> None:
    login_manager.init_app(app)


def permitted(rule: Callable[[Actor], bool]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Logged in, and allowed by `rule` (from domain.access): otherwise the login page, or 403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not rule(current_user.actor):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def roles(*allowed: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Logged in, and in one of the roles (any role when none is named)."""
    return permitted(lambda actor: not allowed or actor.role in allowed)


logged_in = roles()


HOME = {
    Role.INVESTIGATOR: "referrals.listing",
    Role.MUNICIPALITY_CONTACT: "municipality.inbox",
    Role.COORDINATOR: "overview.overview",
    Role.ASSOCIATION: "overview.budget",
    Role.ADMIN: "accounts.listing",
    Role.LOG_REVIEWER: "log_review.search",
}


def home_url() -> str:
    if current_user.role is Role.LOG_REVIEWER:
        # What needs review: the flagged views of the last 30 days, not an empty search.
        today = runtime.today()
        return url_for(
            HOME[Role.LOG_REVIEWER],
            period_from=(today - timedelta(days=30)).isoformat(),
            period_to=today.isoformat(),
            flagged="y",
        )
    return url_for(HOME[current_user.role])


def safe_next(target: str | None) -> str | None:
    """A path on this site to go to after logging in; anything else is ignored: another
    host (`//evil`, `/\\evil`), a scheme, control characters (a CR/LF would split the
    Location header), spaces, or something absurdly long."""
    if not target or len(target) > 2000 or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
