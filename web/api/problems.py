"""Errors of the open API as RFC 9457 problem details (`application/problem+json`), in
Swedish: a title for the kind of problem and a whole sentence saying what happened."""

from __future__ import annotations

from typing import Any

from flask import Response, json

import locales
from domain.text import N_

MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: N_("The request could not be understood"),
    401: N_("A valid API token is needed"),
    403: N_("Not for this token's role"),
    404: N_("Not found"),
    405: N_("That method is not allowed here"),
    409: N_("The request breaks a rule"),
    413: N_("Too much was sent"),
    422: N_("The request has invalid values"),
    429: N_("Too many calls"),
    500: N_("Something went wrong on our side"),
    503: N_("The change could not be saved just now"),
}
DETAILS = {
    400: N_("Something in what was sent was wrong or missing."),
    401: N_(
        "Send an API token as 'Authorization: Bearer …'. A token that is unknown, revoked or "
        "expired is refused."
    ),
    403: N_("This token's role does not give access to this."),
    404: N_("There is nothing here, or this token may not see it."),
    405: N_("This address does not take that method."),
    413: N_("What was sent is larger than the API accepts."),
    422: N_("Some values in the request are missing or not valid."),
    429: N_("This token has made too many calls in the last minute. Wait and try again."),
    500: N_("Nothing was saved. Try again in a while."),
    503: N_(
        "Someone else changed the same thing at the same moment. Nothing was saved: send the "
        "call again."
    ),
}


def problem(
    status: int,
    detail: str | None = None,
    *,
    invalid_params: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": locales.gettext(TITLES.get(status, TITLES[400])),
        "status": status,
        "detail": detail or locales.gettext(DETAILS.get(status, DETAILS[400])),
    }
    if invalid_params:
        body["invalid_params"] = invalid_params
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
