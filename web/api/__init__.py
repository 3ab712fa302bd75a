"""The open API (issue 26): JSON under /api/v1/ with bearer tokens. The document and the
token check are in web.api.document, the operations in web.api.views, the problem details
in web.api.errors and web.api.problems."""

from __future__ import annotations

from flask import Flask

from web.api import errors, views  # noqa: F401 - the operations, on the blueprint
from web.api.document import blueprint, spec

errors.install(blueprint)


def install(app: Flask) -> None:
    from web.templating import csrf

    # A bearer token, never a cookie, authorises a call: nothing for CSRF to protect.
    csrf.exempt(blueprint)
    app.register_blueprint(blueprint)
    spec.app = app  # the routes are read from the app; spectree serves nothing itself
