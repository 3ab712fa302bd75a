"""Logs a machine can read: with MM_LOG_FORMAT=json every line is one JSON object
(timestamp, level, logger, message, and within a request its request id, route and user id),
and gunicorn's access line carries the same request id (JsonGunicornLogger, chosen in
gunicorn.conf.py). The default stays readable text.

The request id is nginx's (X-Request-ID, trusted only behind the proxy, MM_BEHIND_PROXY) or
made here; it is sent back in the X-Request-ID response header. The route is the URL rule
(`/anmalningar/<code>`), never the path, so no reference code reaches a log; an exception is
logged by its type and the
files, lines and functions of its stack, without its message (which may quote a database
parameter) or source lines.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from gunicorn.glogging import Logger as GunicornLogger

REQUEST_ID = "mm.request_id"
ROUTE = "mm.route"
USER_ID = "mm.user_id"
# What nginx's $request_id looks like (32 hex digits), or a UUID; anything else is replaced.
TRUSTED_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def json_wanted() -> bool:
    return os.environ.get("MM_LOG_FORMAT", "").strip().lower() == "json"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "route", "status", "duration_ms", "method", "user_id"):
            value = getattr(record, key, None)
            if value is not None:
                line[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
            line["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(record.exc_info[2])
            ]
        return json.dumps(line, ensure_ascii=False)


class RequestContext(logging.Filter):
    """Adds the request id, route and user id to an application line written in a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and not hasattr(record, "request_id"):
            record.request_id = request.environ.get(REQUEST_ID)
            record.route = request.environ.get(ROUTE)
            record.user_id = request.environ.get(USER_ID)
        return True


def configure_json(level: str | None = None) -> None:
    """One JSON handler on the root logger (again on a second call: nothing doubled)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "mm_json", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.mm_json = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContext())
    root.addHandler(handler)
    root.setLevel(level or os.environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO")


def install(app: Flask) -> None:
    if json_wanted():
        configure_json()
    trust_proxy = bool(app.config.get("MM_BEHIND_PROXY"))

    @app.before_request
    def request_id() -> None:
        given = request.headers.get("X-Request-ID", "") if trust_proxy else ""
        request.environ[REQUEST_ID] = given if TRUSTED_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def tell_request_id(response: Response) -> Response:
        environ = request.environ
        environ[ROUTE] = request.url_rule.rule if request.url_rule else "unmatched"
        user_id = getattr(g.get("_login_user"), "id", None)  # flask-login's, when read
        environ[USER_ID] = user_id if isinstance(user_id, int) else None
        if REQUEST_ID in environ:
            response.headers["X-Request-ID"] = environ[REQUEST_ID]
        return response


class JsonGunicornLogger(GunicornLogger):
    """gunicorn's own lines and its access line as JSON. The access line has the request id,
    route, status, duration and user id the application left in the WSGI environ; no path
    (it holds reference codes) and no address."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.syslog):
            return
        status = str(resp.status).split(None, 1)[0] if resp.status else None
        self.access_log.info(
            "request",
            extra={
                "request_id": environ.get(REQUEST_ID) or resp_header(resp, "x-request-id"),
                "route": environ.get(ROUTE),
                "method": environ.get("REQUEST_METHOD"),
                "status": int(status) if status and status.isdigit() else None,
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "user_id": environ.get(USER_ID),
            },
        )


def resp_header(resp: Any, name: str) -> str | None:
    for key, value in getattr(resp, "headers", []) or []:
        if key.lower() == name:
            return value
    return None
