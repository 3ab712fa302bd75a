"""The open API's document and its door (issue 26): JSON under /api/v1/, described by an
OpenAPI 3.1 document that spectree makes from the views themselves and their pydantic
models (web.api.models), served at /api/v1/openapi.json. Every call carries a bearer token
(services.api_tokens) and acts as a person of the token's role and municipality would: the
same use cases, the same rules (domain.actions, domain.access). Errors are RFC 9457 problem
details in Swedish.

spectree rather than flask-smorest or apispec: pydantic 2 writes JSON Schema 2020-12, which
is OpenAPI 3.1's own schema language, so nothing is translated on the way into the
document; the same models check every request; and it registers no application-wide error
handlers (flask-smorest's Api takes over every HTTP error of the app, and the web site's
are Swedish pages)."""

from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint, current_app, g, request
from spectree import SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData

from services import api_tokens
from storage.db import unit_of_work
from web.api.models import CODE
from web.api.problems import MEDIA_TYPE, problem

PREFIX = "/api/v1"
# A reference code as the path says it (MM-2026-0042): werkzeug's converter cannot say it
# for spectree, so the document does.
CODE_SCHEMA = {"type": "string", "pattern": CODE, "maxLength": 20}
SCHEME = "token"


def _invalid(req: Any, resp: Any, error: Exception | None, instance: Any, adapter: Any) -> None:
    """spectree found the request invalid: a problem, naming each field, instead of its own
    English list."""
    if error is None:
        return
    from flask import abort

    import locales

    wrong = [
        {
            "name": ".".join(str(part) for part in item.get("loc", ())) or "body",
            "reason": locales.gettext("The value is missing or not valid."),
        }
        for item in adapter.validation_errors(error)
    ]
    abort(problem(422, invalid_params=wrong))


spec = SpecTree(
    "flask",
    title="Möjlighetsmodellen API",
    version="1.0.0",
    description=(
        "Referrals, requests, placements, places and budget of Möjlighetsmodellen, for a "
        "municipality's case system and Försäkringskassan's tools. Every call needs a token "
        "(Authorization: Bearer …) made by the administrator."
    ),
    # Where spectree would serve its own copy: not served (web.api.openapi serves the
    # document); spectree leaves routes under this path out of the document.
    path="api/v1/spectree",
    mode="strict",
    page_templates={},
    annotations=True,
    before=_invalid,
    security_schemes=[
        SecurityScheme(name=SCHEME, data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer"))
    ],
    security={SCHEME: []},
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
)

blueprint = Blueprint("api", __name__, url_prefix=PREFIX)


@blueprint.get("/openapi.json")
def openapi() -> Any:
    """The document, public like any API description; errors are problem+json."""
    document = copy.deepcopy(spec.spec)
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "code":
                    parameter["schema"] = CODE_SCHEMA
            for status, answer in operation["responses"].items():
                content = answer.get("content", {})
                if status.startswith(("4", "5")) and "application/json" in content:
                    answer["content"] = {MEDIA_TYPE: content["application/json"]}
    document["security"] = [{SCHEME: []}]
    return current_app.json.response(document)


@blueprint.before_request
def _authenticate() -> Any:
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    found = None
    if scheme.lower() == "bearer" and token.strip():
        with unit_of_work(current_app.extensions["mm.sessions"]) as session:
            found = api_tokens.caller(
                session,
                token=token.strip(),
                now=current_app.config["CLOCK"].now(),
                limit=current_app.config["MM_API_CALLS_PER_MINUTE"],
            )
    if found is None:
        return problem(401, headers={"WWW-Authenticate": "Bearer"})
    if found.limited:
        return problem(429, headers={"Retry-After": str(found.retry_after)})
    g.api_caller = found
    return None
