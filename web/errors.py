"""Error pages in Swedish for every kind of failure: never a bare or English error."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError

import locales
from domain.errors import NotAllowed, NotFound, RuleViolation
from domain.text import N_
from storage.db import sqlstate, transient

log = logging.getLogger(__name__)

# msgids of the heading and the explanation for each status.
PAGES = {
    400: (
        N_("The request could not be understood"),
        N_("Something in what was sent was wrong or missing. Go back, check and try again."),
    ),
    403: (
        N_("This page is not for your role"),
        N_("You are logged in, but your role does not give access to this page."),
    ),
    404: (
        N_("The page could not be found"),
        N_(
            "Check the address. If you followed a link, what it pointed to may not exist, or you "
            "may not have access to it."
        ),
    ),
    405: (
        N_("That cannot be done here"),
        N_("The page does not take that kind of request. Use the links and buttons on the site."),
    ),
    413: (
        N_("Too much was sent"),
        N_("What you sent is larger than the site accepts. Shorten the text and try again."),
    ),
    429: (
        N_("Too many attempts"),
        N_("Wait a while and try again."),
    ),
    503: (
        N_("The change could not be saved just now"),
        N_(
            "Someone else changed the same thing at the same moment. Nothing of yours was "
            "saved: go back and try again."
        ),
    ),
    500: (
        N_("Something went wrong on our side"),
        N_(
            "Nothing was saved. Try again in a while. If it keeps happening, contact the "
            "coordinator."
        ),
    ),
}


def page(status: int, message: str | None = None) -> tuple[str, int]:
    heading, explanation = PAGES.get(status, PAGES[400])
    return (
        render_template(
            "error.html",
            status=status,
            heading=locales.gettext(heading),
            explanation=message or locales.gettext(explanation),
            plain=status == 500,
        ),
        status,
    )


def install(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(_error: CSRFError) -> Any:
        return page(
            400,
            locales.gettext(
                "The form had expired or lacked its security code, so nothing was saved. "
                "Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(NotFound)
    @app.errorhandler(NotAllowed)
    def hidden(_error: Exception) -> Any:
        return page(404)

    @app.errorhandler(RuleViolation)
    def refused(error: RuleViolation) -> Any:
        return page(400, locales.render(error.text))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if request.path.startswith("/api/"):  # no route, wrong method: problem details
            from web.api.errors import http_problem

            return http_problem(error)
        if isinstance(error, InternalServerError):
            return internal(error)
        return page(error.code if error.code in PAGES else 400)

    @app.errorhandler(DBAPIError)
    def database_failed(error: DBAPIError) -> Any:
        # The code only in the warning; the engine keeps the values out of the error itself
        # (storage.db.make_engine), as they may be personal data.
        if transient(error):  # run again where that is safe (web.views.attempt)
            log.warning("a transaction was aborted (%s)", sqlstate(error))
            return page(503)
        log.error("a database error (%s)", sqlstate(error), exc_info=error)
        return page(500)

    @app.errorhandler(InternalServerError)
    def internal(error: InternalServerError) -> Any:
        log.error("unexpected error", exc_info=getattr(error, "original_exception", error))
        return page(500)
