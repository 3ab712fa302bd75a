"""Flask sessions kept on the server (services.web_sessions), not in a signed cookie.

The cookie holds only a random token. A session whose user changes (a login) gets a new
token and the old row is deleted, so a token seen before the login is worth nothing after
it; logging out deletes the row, so a copied cookie is worth nothing after that either.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, Request, Response, request
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import CallbackDict

from services import web_sessions
from storage.db import unit_of_work
from web import auth


class ServerSession(CallbackDict[str, Any], SessionMixin):
    def __init__(
        self,
        initial: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        last_seen_at: datetime | None = None,
    ) -> None:
        def changed(_self: Any) -> None:
            self.modified = True

        super().__init__(initial or {}, changed)
        self.token = token
        self.last_seen_at = last_seen_at
        self.user_id = _user_id(self)
        self.ended_token: str | None = None
        self.new = token is None
        self.modified = False

    def regenerate(self) -> None:
        """Start afresh under a new token (at login and logout); the old row goes."""
        if self.token:
            self.ended_token = self.token
        self.token = None
        self.new = True
        self.clear()
        self.modified = True


def _user_id(data: dict[str, Any]) -> int | None:
    value = data.get("_user_id")
    return int(value) if isinstance(value, str) and value.isdigit() else None


# app.extensions' paths (beginnings of paths) that open no session (`without_session`).
SESSIONLESS = "mm.sessionless"


class DatabaseSessionInterface(SessionInterface):
    def _limits(self, app: Flask) -> web_sessions.Limits:
        return web_sessions.Limits(
            idle=app.config["MM_SESSION_IDLE"], lifetime=app.config["MM_SESSION_LIFETIME"]
        )

    def open_session(self, app: Flask, request: Request) -> ServerSession | None:
        # By path: Flask opens the session before it matches the URL to an endpoint.
        if request.path.startswith(app.extensions[SESSIONLESS]):
            return None  # Flask makes a null session, and saves nothing
        token = request.cookies.get(self.get_cookie_name(app), "")
        if not token:
            return ServerSession()
        sessions = app.extensions["mm.sessions"]
        try:
            # Read only: on SQLite a request that only reads never waits for the write lock.
            with unit_of_work(sessions, read_only=True) as db:
                found = web_sessions.live(
                    db, token=token, now=app.config["CLOCK"].now(), limits=self._limits(app)
                )
                user_id = _user_id(found.data) if isinstance(found, web_sessions.Live) else None
                if user_id is not None:
                    assert isinstance(found, web_sessions.Live)
                    person = found.person
                    if person is not None and person.id == user_id:  # read with the row
                        auth.remember_user(user_id, auth.user_of(person))
                    else:
                        auth.remember_user(user_id, auth.read_user(db, user_id))
            if found is False:  # expired: gone for good
                with unit_of_work(sessions) as db:
                    web_sessions.end(db, token=token)
            if not found:
                return ServerSession()
            assert isinstance(found, web_sessions.Live)
            return ServerSession(found.data, token=token, last_seen_at=found.last_seen_at)
        except SQLAlchemyError:
            app.logger.exception("the session could not be read")
            return ServerSession()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, ServerSession):
            return
        name = self.get_cookie_name(app)
        now = app.config["CLOCK"].now()
        limits = self._limits(app)
        user_id = _user_id(session)
        stale = session.last_seen_at is None or now - session.last_seen_at >= (
            web_sessions.TOUCH_EVERY
        )
        unchanged = (
            session.token is not None
            and bool(session)
            and not session.ended_token
            and user_id == session.user_id
            and not (session.modified or stale)
        )
        if unchanged or (session.token is None and not session and not session.ended_token):
            return  # nothing to write: most requests open no write transaction at all
        with unit_of_work(app.extensions["mm.sessions"]) as db:
            if session.token and user_id != session.user_id and user_id is not None:
                # Logged in without a new token: never keep a token across a login.
                data = dict(session)
                session.regenerate()
                session.update(data)
            if session.ended_token:
                web_sessions.end(db, token=session.ended_token)
            if session.token is None:
                if not session:
                    if session.ended_token:
                        response.delete_cookie(name, path=self.get_cookie_path(app))
                    return
                session.token = web_sessions.create(
                    db,
                    data=dict(session),
                    user_id=user_id,
                    logged_in_at=now if user_id is not None else None,
                    now=now,
                    address=_address(),
                    user_agent=_agent(),
                    limits=limits,
                )
                self._set_cookie(app, response, session.token)
                return
            if not session:
                web_sessions.end(db, token=session.token)
                response.delete_cookie(name, path=self.get_cookie_path(app))
                return
            if session.modified or stale:
                kept = web_sessions.save(
                    db,
                    token=session.token,
                    data=dict(session) if session.modified else None,
                    user_id=user_id,
                    now=now,
                )
                if not kept:  # ended meanwhile (logout elsewhere, an administrator's change)
                    response.delete_cookie(name, path=self.get_cookie_path(app))

    def _set_cookie(self, app: Flask, response: Response, token: str) -> None:
        # A browser-session cookie: no Expires, the server decides when the session ends.
        response.set_cookie(
            self.get_cookie_name(app),
            token,
            path=self.get_cookie_path(app),
            domain=self.get_cookie_domain(app),
            secure=self.get_cookie_secure(app),
            httponly=self.get_cookie_httponly(app),
            samesite=self.get_cookie_samesite(app),
        )


def _address() -> str:
    return request.remote_addr or ""


def _agent() -> str:
    return request.headers.get("User-Agent", "")


def install(app: Flask) -> None:
    app.session_interface = DatabaseSessionInterface()
    without_session(app, f"{app.static_url_path}/")  # style sheets need no session


def without_session(app: Flask, path: str) -> None:
    """Requests whose path begins with `path` read and write no session: Flask gives them a
    null one. For requests that never carry the site's cookie, such as Slack's signed ones,
    and for the style sheets, which need none."""
    # Also before this interface is installed, or in an app without it (it then does nothing).
    app.extensions[SESSIONLESS] = (*app.extensions.get(SESSIONLESS, ()), path)
