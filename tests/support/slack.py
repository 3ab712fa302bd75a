"""A stand-in for Slack in tests, in the style of slack-bolt's own: Slack's Web API served by a
stdlib HTTP server on a thread (port 0), answering in Slack's JSON format and recording every
request; and the real request signing (HMAC-SHA256 over v0:timestamp:body).

The stand-in also refuses blocks that break Block Kit's limits, as Slack does
(`invalid_blocks`), and keeps what it refused in `violations`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.support.blockkit import problems_in_payload

BOT_USER = "U0BOT"


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with a request: X-Slack-Request-Timestamp and X-Slack-Signature."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{stamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Call:
    method: str  # "chat.postMessage", … or "response_url"
    body: dict[str, Any]
    raw: str


def _decode(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return json.loads(raw or "{}")
    body: dict[str, Any] = {k: v[0] for k, v in parse_qs(raw).items()}
    for key in ("blocks", "view", "attachments"):
        if isinstance(body.get(key), str):
            body[key] = json.loads(body[key])
    return body


class SlackStandIn:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self._failures: dict[str, list[str]] = {}
        self._delays: dict[str, float] = {}
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                status, answer = stand_in._answer(self.path, raw, self.headers)
                data = json.dumps(answer).encode() if isinstance(answer, dict) else answer.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base}/response/{name}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, method: str, error: str, times: int = 1) -> None:
        """The next `times` calls of `method` get {"ok": false, "error": error}."""
        with self._lock:
            self._failures.setdefault(method, []).extend([error] * times)

    def slow_down(self, method: str, seconds: float) -> None:
        self._delays[method] = seconds

    def sent(self, method: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [c.body for c in self.calls if method is None or c.method == method]

    def _answer(self, path: str, raw: str, headers: Any) -> tuple[int, dict[str, Any] | str]:
        content_type = headers.get("Content-Type", "")
        if path.startswith("/response/"):
            method = "response_url"
        elif path.startswith("/api/"):
            method = path.removeprefix("/api/").split("?")[0]
        else:
            return 404, {"ok": False, "error": "unknown_path"}
        body = _decode(raw, content_type)
        time.sleep(self._delays.get(method, 0))
        with self._lock:
            self.calls.append(Call(method, body, raw))
            queued = self._failures.get(method)
            failure = queued.pop(0) if queued else None
            number = next(self._numbers)
        if failure:
            return 200, {"ok": False, "error": failure}
        problems = problems_in_payload(method, body)
        if problems:
            with self._lock:
                self.violations += [f"{method}: {p}" for p in problems]
            return 200, {"ok": False, "error": "invalid_blocks", "errors": problems}
        return 200, self._success(method, body, number)

    def _success(self, method: str, body: dict[str, Any], number: int) -> dict[str, Any] | str:
        ts = f"1795000000.{number:06d}"
        if method == "response_url":
            return {"ok": True}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://mm-test.slack.com/",
                "team": "MM",
                "user": "mm",
                "team_id": "T0MM",
                "user_id": BOT_USER,
                "bot_id": "B0BOT",
            }
        if method == "chat.postMessage":
            channel = body.get("channel", "")
            if channel.startswith("U"):  # a user id: the bot's direct message with them
                channel = "D" + channel[1:]
            return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}
        if method == "chat.update":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in ("views.open", "views.update", "views.push"):
            return {"ok": True, "view": {"id": f"V{number:06d}", **body.get("view", {})}}
        return {"ok": False, "error": "unknown_method"}
