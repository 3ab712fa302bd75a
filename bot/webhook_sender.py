"""Webhooks as an outbox transport (issue 26): each queued delivery is POSTed to the
subscriber's address, signed per the Standard Webhooks specification (`webhook-id`,
`webhook-timestamp`, `webhook-signature`, by the `standardwebhooks` package) with the
subscriber's secret, looked up when it is sent (the secret never goes into the outbox).

Anything but a 2xx answer is a failure: the outbox tries again with backoff, and shows the
delivery on /leveranser when it gives up. `webhook-id` is the outbox key, the same on every
try, so a receiver that got a delivery whose answer was lost recognises it again (as the
specification asks receivers to); that is how a delivery counts once across crashes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import requests
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from services import webhooks
from storage.db import unit_of_work

TIMEOUT_SECONDS = 10


class WebhookRefused(Exception):
    """The receiver answered with something other than 2xx."""

    def __init__(self, status: int, retry_after: float | None = None) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"webhook receiver answered {status}")


class ReceiverGone(Exception):
    """The subscription was removed from the database: nobody to deliver to."""


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
        body = body_of(content)
        headers = signed_headers(secret, key, datetime.now(UTC), body)
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
