"""Webhooks as an outbox transport (issue 26): each queued delivery is POSTed to the
subscriber's address, signed per the Standard Webhooks specification (`webhook-id`,
`webhook-timestamp`, `webhook-signature`, by the `standardwebhooks` package) with the
subscriber's secret, looked up when it is sent (the secret never goes into the outbox).

Anything but a 2xx answer is a failure: the outbox tries again with backoff, and shows the
delivery on /leveranser when it gives up. `webhook-id` is the outbox key, the same on every
try, so a receiver that got a delivery whose answer was lost recognises it again (as the
specification asks receivers to); that is how a delivery counts once across crashes."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import socket
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from domain.clock import Clock
from domain.delivery import OutboxState, Transport
from domain.webhooks import internal_networks, may_receive
from notices import webhooks as webhook_notices
from services import webhooks
from storage.db import unit_of_work
from storage.models import ChatOutbox
from transports import outbox
from transports.webhook_errors import ReceiverGone, ReceiverInternal, WebhookRefused

if TYPE_CHECKING:
    import requests

log = logging.getLogger("mm.webhooks")

TIMEOUT_SECONDS = 10
NETWORKS_SETTING = "MM_WEBHOOK_NETWORKS"


def check_receiver(url: str) -> None:
    """Refuse a receiver whose host resolves to an address webhooks may not reach
    (domain.webhooks.may_receive): every address the name has, as the sender is about to
    connect. Read per delivery, so a changed MM_WEBHOOK_NETWORKS counts from the next one.
    A name that changes its answer between this look-up and the connection (DNS
    rebinding) is not caught: the connection resolves it again."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    allowed = internal_networks(os.environ.get(NETWORKS_SETTING, ""))
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found}
    if not addresses or not all(may_receive(address, allowed) for address in addresses):
        raise ReceiverInternal(host)


def body_of(content: Any) -> bytes:
    """The bytes sent and signed: compact JSON of the queued payload."""
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(secret: str, message_id: str, at: datetime, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }


def _retry_after(response: requests.Response) -> float | None:
    if response.status_code != 429:
        return None
    try:
        return max(1.0, float(response.headers.get("Retry-After", "60")))
    except ValueError:
        return 60.0


class WebhookSender:
    """The outbox's Sender for Transport.WEBHOOK: `channel` is the subscription's id."""

    def __init__(self, sessions: sessionmaker[Session], timeout: float = TIMEOUT_SECONDS) -> None:
        self.sessions = sessions
        self.timeout = timeout

    def post(self, channel: str, text: str, content: Any, key: str) -> tuple[str, str]:
        with unit_of_work(self.sessions, read_only=True) as session:
            found = webhooks.receiver(session, int(channel))
            if found is None:
                raise ReceiverGone(channel)
            url, secret = found.url, found.secret
        check_receiver(url)
        body = body_of(content)
        headers = signed_headers(secret, key, datetime.now(UTC), body)
        import requests  # only in a process that sends a webhook: ~5 MB a worker

        response = requests.post(
            url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False
        )
        if not 200 <= response.status_code < 300:
            raise WebhookRefused(response.status_code, _retry_after(response))
        return channel, key

    def update(self, channel: str, ts: str, text: str, content: Any) -> None:
        raise NotImplementedError("a webhook delivery is never updated")

    def find(self, channel: str, key: str, since: datetime) -> tuple[str, str] | None:
        """A receiver cannot be asked whether it got a delivery: send it again under the
        same webhook-id, which the receiver recognises."""
        return None


RETRY_SWEEP = 30.0  # seconds between sweeps while a webhook waits for a retry


class WebhookDeliverer:
    """Delivers webhooks in the background of the process that queued them (the web site,
    the chat bot): at once after the commit, then, while any wait for a retry, a sweep of
    the webhook rows every `retry_sweep` seconds until none is left. Started on demand: a
    process with no receivers runs no thread."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, retry_sweep: float = RETRY_SWEEP
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.retry_sweep = retry_sweep
        self.senders = outbox.Senders({Transport.WEBHOOK: WebhookSender(sessions)})
        self._lock = threading.Lock()
        self._queued: list[int] = []
        self._running = False

    def deliver_soon(self, message_ids: list[int]) -> None:
        with self._lock:
            self._queued.extend(message_ids)
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._run, name="mm-webhooks", daemon=True).start()

    def _run(self) -> None:
        try:
            while True:
                with self._lock:
                    queued, self._queued = self._queued, []
                for message_id in queued:
                    outbox.deliver(self.sessions, self.senders, message_id, self.clock.now())
                outbox.sweep(self.sessions, self.senders, self.clock.now)
                with self._lock:
                    if not self._queued and not self._waiting():
                        self._running = False
                        return
                time.sleep(self.retry_sweep)
        except Exception:
            log.exception("webhook delivery stopped; the next commit or sweep goes on")
            with self._lock:
                self._running = False

    def _waiting(self) -> bool:
        """Whether a webhook still waits for a retry."""
        with unit_of_work(self.sessions, read_only=True) as session:
            found = session.scalar(
                select(ChatOutbox.id)
                .where(
                    ChatOutbox.transport == Transport.WEBHOOK,
                    ChatOutbox.state.in_((OutboxState.PENDING, OutboxState.SENDING)),
                )
                .limit(1)
            )
        return found is not None


def install(sessions: sessionmaker[Session], clock: Clock) -> WebhookDeliverer:
    """Webhooks queued in sessions of `sessions` are delivered by this process."""
    deliverer = WebhookDeliverer(sessions, clock)
    webhook_notices.attach(sessions, deliverer.deliver_soon)
    return deliverer
