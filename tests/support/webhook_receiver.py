"""A webhook receiver on loopback, as a subscriber's system would run one: it verifies each
delivery's Standard Webhooks signature with the shared secret (the `standardwebhooks`
package), answers with the statuses it is told to (500, 500, then 200, say), and counts
what it took in by webhook-id, as the specification asks receivers to."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from transports.webhook_sender import NETWORKS_SETTING

LOOPBACK = "127.0.0.0/8"


@pytest.fixture
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The receivers here are on loopback, which webhooks refuse unless the operator
    allows it (MM_WEBHOOK_NETWORKS): a test module uses this fixture to allow it."""
    monkeypatch.setenv(NETWORKS_SETTING, LOOPBACK)


@dataclass
class Receiver:
    url: str
    secret: str = ""
    answers: list[int] = field(default_factory=list)  # statuses to give first, then 200
    tries: int = 0
    unsigned: int = 0
    received: dict[str, Any] = field(default_factory=dict)  # webhook-id -> payload
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, body: bytes, headers: dict[str, str]) -> int:
        with self.lock:
            self.tries += 1
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError:
                self.unsigned += 1
                return 401
            if self.answers:
                return self.answers.pop(0)
            self.received.setdefault(headers["webhook-id"], payload)
            return 200


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = receiver.take(body, dict(self.headers.items()))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/mm-events"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
