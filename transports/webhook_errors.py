"""What can go wrong delivering a webhook (transports.webhook_sender), for the outbox's reading of
failures (transports.delivery_errors)."""

from __future__ import annotations


class WebhookRefused(Exception):
    """The receiver answered with something other than 2xx."""

    def __init__(self, status: int, retry_after: float | None = None) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"webhook receiver answered {status}")


class ReceiverGone(Exception):
    """The subscription was removed from the database: nobody to deliver to."""


class ReceiverInternal(Exception):
    """The receiver's address resolves into a network webhooks may not reach."""

    def __init__(self, host: str) -> None:
        super().__init__(f"webhook receiver {host} resolves to a refused address")
