"""A stand-in for Slack in tests, in the style of slack-bolt's own: Slack's Web API served by a
stdlib HTTP server on a thread (port 0), answering in Slack's JSON format and recording every
request; and the real request signing (HMAC-SHA256 over v0:timestamp:body).

The stand-in also refuses blocks that break Block Kit's limits, as Slack does
(`invalid_blocks`), and keeps what it refused in `violations`.

Like Slack it can be busy or hostile: HTTP 429 with Retry-After (`rate_limit_next`), HTTP
5xx (`http_error_next`), an error code (`fail_next`, e.g. not_in_channel), a slow answer
(`slow_down`, e.g. auth.test), or a post that is stored in the channel while the answer never
comes back in time (`stall_after_storing`). Posted messages are kept per channel, with their
metadata, and conversations.history reads them back as Slack does.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable
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
    at: float = 0.0  # time.monotonic() when it arrived
    status: int = 200
    ok: bool = True


def _decode(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return json.loads(raw or "{}")
    body: dict[str, Any] = {k: v[0] for k, v in parse_qs(raw).items()}
    for key in ("blocks", "view", "attachments", "metadata"):
        if isinstance(body.get(key), str):
            body[key] = json.loads(body[key])
    return body


class SlackStandIn:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock  # stamps messages (ts), like Slack's own clock
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self._failures: dict[str, list[tuple[str, str | None]]] = {}
        self._statuses: dict[str, list[tuple[int, float | None]]] = {}
        self._delays: dict[str, float] = {}
        self._gates: dict[str, threading.Event] = {}
        self._stalls: dict[str, float] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                status, answer, extra = stand_in._answer(self.path, raw, self.headers)
                data = json.dumps(answer).encode() if isinstance(answer, dict) else answer.encode()
                try:
                    self.send_response(status)
                    for name, value in extra.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the caller gave up (a timeout, a killed process)
                    pass

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

    def fail_next(
        self, method: str, error: str, times: int = 1, channel: str | None = None
    ) -> None:
        """The next `times` calls of `method` (to `channel`, when given) get
        {"ok": false, "error": error}."""
        with self._lock:
            self._failures.setdefault(method, []).extend([(error, channel)] * times)

    def rate_limit_next(self, method: str, retry_after: float, times: int = 1) -> None:
        """The next `times` calls of `method` get HTTP 429 with Retry-After."""
        with self._lock:
            self._statuses.setdefault(method, []).extend([(429, retry_after)] * times)

    def http_error_next(self, method: str, status: int = 500, times: int = 1) -> None:
        with self._lock:
            self._statuses.setdefault(method, []).extend([(status, None)] * times)

    def slow_down(self, method: str, seconds: float) -> None:
        self._delays[method] = seconds

    def hold(self, method: str) -> threading.Event:
        """Calls to `method` wait until the returned gate is set (at most 30 s): a test
        proves what happens before Slack answers without measuring time."""
        gate = threading.Event()
        self._gates[method] = gate
        return gate

    def stall_after_storing(self, method: str, seconds: float) -> None:
        """`method` does its work at once but answers only after `seconds`."""
        self._stalls[method] = seconds

    def delivered(self, method: str) -> list[Call]:
        """The calls of `method` that Slack accepted."""
        with self._lock:
            return [c for c in self.calls if c.method == method and c.ok]

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.history.get(channel, []))

    def sent(self, method: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [c.body for c in self.calls if method is None or c.method == method]

    def _answer(
        self, path: str, raw: str, headers: Any
    ) -> tuple[int, dict[str, Any] | str, dict[str, str]]:
        arrived = time.monotonic()
        content_type = headers.get("Content-Type", "")
        if path.startswith("/response/"):
            method = "response_url"
        elif path.startswith("/api/"):
            method = path.removeprefix("/api/").split("?")[0]
        else:
            return 404, {"ok": False, "error": "unknown_path"}, {}
        body = _decode(raw, content_type)
        time.sleep(self._delays.get(method, 0))
        gate = self._gates.get(method)
        if gate is not None:
            gate.wait(30)
        with self._lock:
            statuses = self._statuses.get(method)
            status = statuses.pop(0) if statuses else None
            queued = self._failures.get(method) if status is None else None
            failure = None
            for index, (_error, channel) in enumerate(queued or []):
                if queued and (channel is None or channel == body.get("channel")):
                    failure = queued.pop(index)[0]
                    break
            number = next(self._numbers)
        if status is not None:
            code, wait = status
            self._record(Call(method, body, raw, arrived, code, False))
            extra = {"Retry-After": str(int(wait))} if wait is not None else {}
            error = "ratelimited" if code == 429 else "internal_error"
            return code, {"ok": False, "error": error}, extra
        if failure:
            self._record(Call(method, body, raw, arrived, 200, False))
            return 200, {"ok": False, "error": failure}, {}
        problems = problems_in_payload(method, body)
        if problems:
            self._record(Call(method, body, raw, arrived, 200, False))
            with self._lock:
                self.violations += [f"{method}: {p}" for p in problems]
            return 200, {"ok": False, "error": "invalid_blocks", "errors": problems}, {}
        answer = self._success(method, body, number)
        if method in self._stalls:
            time.sleep(self._stalls[method])
        self._record(Call(method, body, raw, arrived, 200, answer.get("ok", True)))
        return 200, answer, {}

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _success(self, method: str, body: dict[str, Any], number: int) -> dict[str, Any]:
        ts = f"{int(self.clock())}.{number:06d}"
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
            message = {"type": "message", "ts": ts, "text": body.get("text"), "bot_id": "B0BOT"}
            if isinstance(body.get("metadata"), dict):
                message["metadata"] = body["metadata"]
            with self._lock:
                self.history.setdefault(channel, []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}
        if method == "conversations.open":
            users = str(body.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users[1:]}}
        if method == "conversations.history":
            return self._history(body)
        if method == "views.publish":
            return {"ok": True, "view": {"id": f"V{number:06d}", **body.get("view", {})}}
        if method == "chat.update":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in ("views.open", "views.update", "views.push"):
            return {"ok": True, "view": {"id": f"V{number:06d}", **body.get("view", {})}}
        return {"ok": False, "error": "unknown_method"}

    def _history(self, body: dict[str, Any]) -> dict[str, Any]:
        """Newest first, from `oldest` on, with metadata only when asked for; 2 per page, so
        that paging is used."""
        channel = str(body.get("channel", ""))
        oldest = float(body.get("oldest") or 0)
        with_metadata = str(body.get("include_all_metadata")).lower() in ("true", "1")
        with self._lock:
            found = [m for m in self.history.get(channel, []) if float(m["ts"]) >= oldest]
        found.reverse()
        start = int(body.get("cursor") or 0)
        page = found[start : start + 2]
        if not with_metadata:
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + 2 < len(found)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + 2) if more else ""},
        }
