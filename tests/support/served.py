"""The site served as in production: gunicorn with two workers on a free loopback port, and
a small HTTP client with a cookie jar that does not follow redirects (to see them).

`at(day)` is the site on a day of the test's choosing, for gunicorn to serve:

    gunicorn --pythonpath ROOT 'tests.support.served:at("2026-11-23")'

DATABASE_URL and SECRET_KEY come from the environment, as in production."""

from __future__ import annotations

import http.cookiejar
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask

from tests.support.postgres import served_as

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def at(day: str) -> Flask:
    from domain.clock import FixedClock
    from tests.support.clock import moment
    from web import create_app

    return create_app({"CLOCK": FixedClock(moment(date.fromisoformat(day), 11))})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(
    env: dict[str, str],
    cwd: Path,
    workers: int = 2,
    app: str = "web:create_app()",
    options: tuple[str, ...] = (),
    log: Path | None = None,
) -> Iterator[str]:
    """gunicorn on a free loopback port; its output (both streams) to `log` when given."""
    with gunicorns([(env, cwd, log)], workers, app, options) as (base,):
        yield base


@contextmanager
def gunicorns(
    hosts: list[tuple[dict[str, str], Path, Path | None]],
    workers: int = 2,
    app: str = "web:create_app()",
    options: tuple[str, ...] = (),
) -> Iterator[list[str]]:
    """Several gunicorns (env, cwd, log each), started together and all answering."""
    with ExitStack() as stack:
        started = [stack.enter_context(_started(*host, workers, app, options)) for host in hosts]
        for server, base in started:
            _until_healthy(server, base)
        yield [base for _, base in started]


@contextmanager
def _started(
    env: dict[str, str],
    cwd: Path,
    log: Path | None,
    workers: int,
    app: str,
    options: tuple[str, ...],
) -> Iterator[tuple[subprocess.Popen, str]]:
    port = free_port()
    output = log.open("ab") if log is not None else subprocess.DEVNULL
    # Served as the site serves PostgreSQL: a role that may not change the trail. (Without a
    # DATABASE_URL here the site takes it from its credentials or its default: never set "".)
    if env.get("DATABASE_URL"):
        env = {**env, "DATABASE_URL": served_as(env["DATABASE_URL"])}
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--config",  # as the Procfile serves it (gthread workers)
            str(ROOT / "gunicorn.conf.py"),
            "--pythonpath",
            str(ROOT),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            *options,
            app,
        ],
        env=env,
        cwd=cwd,
        stdout=output,
        stderr=output,
    )
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        if log is not None:
            output.close()


def _until_healthy(server: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as health:
                assert json.loads(health.read()) == {"status": "ok"}
            return
        except OSError:
            assert server.poll() is None, "gunicorn stopped"
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    location: str | None
    body: str


class Browser:
    """One visitor: cookies kept, redirects shown rather than followed."""

    def __init__(self, base: str, copied_cookie: str | None = None) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        if copied_cookie is None:
            self.opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
            )
        else:  # someone who copied a cookie: always sends it, keeps nothing new
            self.opener = urllib.request.build_opener(_NoRedirect())
            self.opener.addheaders = [("Cookie", f"mm_session={copied_cookie}")]

    def request(self, path: str, data: dict[str, str] | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return Answer(response.status, None, response.read().decode())
        except urllib.error.HTTPError as answer:
            return Answer(answer.code, answer.headers.get("Location"), answer.read().decode())

    def token(self, path: str = "/logga-in") -> str:
        page = self.request(path).body
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def post(self, path: str, data: dict[str, str], token_from: str = "/logga-in") -> Answer:
        return self.request(path, {"csrf_token": self.token(token_from), **data})

    def cookie(self, name: str = "mm_session") -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)
