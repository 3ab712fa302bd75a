"""What goes wrong in an API call, as problem details: a referral the token may not see or
act on is 404 (as on the web site, nothing is revealed), a rule that says no is 409 with
its Swedish sentence, a change the database aborted for another at the same moment is 503
(send it again), and anything unexpected is 500 with nothing saved."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

import locales
from domain.errors import NotAllowed, NotFound, RuleViolation
from storage.db import sqlstate, transient
from web.api.problems import problem

log = logging.getLogger(__name__)


def http_problem(error: HTTPException) -> Response:
    return problem(error.code or 400)


def install(blueprint: Blueprint) -> None:
    @blueprint.errorhandler(NotFound)
    @blueprint.errorhandler(NotAllowed)
    def hidden(_error: Exception) -> Any:
        return problem(404)

    @blueprint.errorhandler(RuleViolation)
    def refused(error: RuleViolation) -> Any:
        reason = locales.render(error.text)
        fields = [{"name": error.field, "reason": reason}] if error.field else None
        return problem(409, reason, invalid_params=fields)

    @blueprint.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        return http_problem(error)

    @blueprint.errorhandler(DBAPIError)
    def database_failed(error: DBAPIError) -> Any:
        if transient(error):  # the code only: the engine keeps the values out (storage.db)
            log.warning("a transaction was aborted in the API (%s)", sqlstate(error))
            return problem(503, headers={"Retry-After": "1"})
        log.error("a database error in the API (%s)", sqlstate(error), exc_info=error)
        return problem(500)

    @blueprint.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        log.error("unexpected error in the API", exc_info=error)
        return problem(500)
