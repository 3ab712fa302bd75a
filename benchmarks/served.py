"""The servers `make bench` starts and the requests it sends them: the site and the floors
under gunicorn exactly as the Procfile starts the site, slash commands signed as Slack
signs them, page requests with a logged-in session cookie, and the checks of the answers."""

from __future__ import annotations

import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

from load import Client

from services.users import find_user_by_email
from storage.db import make_engine, session_factory, unit_of_work
from tests.support.login import logged_in_cookie
from tests.support.slack import sign

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SIGNING_SECRET = "bench-signing-secret"
# The slow-answer path; set per run (national.serve_and_measure assigns served.RESPONSE_URL,
# which slash() reads when it makes each request).
RESPONSE_URL = "http://127.0.0.1:9/response"
COORDINATOR_SLACK = "UCOORD0001"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_web(app: str, port: int) -> list[str]:
    """The Procfile's web command, for `app`, on `port`."""
    line = next(
        line.split(":", 1)[1]
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    words = shlex.split(line.replace("${PORT:-8000}", str(port)))
    words[0] = str(BIN / words[0])
    return [app if w == "web:create_app()" else w for w in words]


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(name: str, app: str, env: dict[str, str], health: str) -> Server:
    port = _free_port()
    process = subprocess.Popen(
        procfile_web(app, port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(name, f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 60
    while True:
        try:
            status, _body = Client(server.url).send("GET", health, None, {})
            if status < 500:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            server.stop()
            raise SystemExit(f"{name} did not start")
        time.sleep(0.2)


# ---- requests -------------------------------------------------------------------------

_triggers = count(1)


def slash(user: str, words: str, path: str = "/slack/events") -> Callable[[], Any]:
    def make() -> tuple[str, str, bytes, dict[str, str]]:
        body = urllib.parse.urlencode(
            {
                "token": "unused",
                "team_id": "T0BENCH",
                "channel_id": "D0BENCH",
                "user_id": user,
                "command": "/mm",
                "text": words,
                "response_url": RESPONSE_URL,
                # Unique per request: the bot takes a repeated delivery in only once.
                "trigger_id": f"{time.time_ns()}.{next(_triggers)}",
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            **sign(SIGNING_SECRET, body),
        }
        return "POST", path, body.encode(), headers

    return make


def page(path: str, cookie: str | None = None) -> Callable[[], Any]:
    headers = {"Cookie": cookie} if cookie else {}
    return lambda: ("GET", path, None, headers)


def expect(status: int = 200, contains: str | None = None, not_contains: str | None = None) -> Any:
    def check(got: int, body: bytes) -> str | None:
        if got != status:
            return f"status {got}"
        text_ = body.decode("utf-8", "replace")
        if contains and contains not in text_:
            return f"missing {contains!r}"
        if not_contains and not_contains in text_:
            return f"answered later ({not_contains!r})"
        return None

    return check


def log_in(url: str, email: str) -> str:
    """A session cookie of a completed login (password and second factor), made as the login
    makes it: the bench measures pages, not argon2 or the authenticator."""
    engine = make_engine(url)
    sessions = session_factory(engine)
    with unit_of_work(sessions, read_only=True) as session:
        user = find_user_by_email(session, email)
        if user is None:
            raise SystemExit(f"no user {email}")
        user_id = user.id
    token = logged_in_cookie(sessions, user_id, datetime.now(UTC))
    engine.dispose()
    return f"mm_session={token}"
