"""What a failed Web API call means for the message: wait as long as Slack asked, show it to
the administrator because someone must act, or try again later — and whether the message may
have reached Slack all the same.
"""

from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass
from urllib.error import URLError

from slack_sdk.errors import SlackApiError

from transports.delivery_reasons import (
    HTTP_PREFIX,
    MATRIX_FORBIDDEN,
    MATRIX_UNKNOWN_ROOM,
    RATELIMITED,
    RECEIVER_GONE,
    RECEIVER_INTERNAL,
    SLACK_MAYBE_DONE,
    SMTP_REFUSED,
    SMTP_UNAVAILABLE,
    needs_someone,
)
from transports.matrix.errors import MatrixError
from transports.slack.client import never_reached_slack
from transports.webhook_errors import ReceiverGone, ReceiverInternal, WebhookRefused


@dataclass(frozen=True)
class Failure:
    code: str  # Slack's error code, or the kind of exception
    retry_after: float | None = None  # seconds Slack asked to wait (HTTP 429)
    needs_someone: bool = False  # the bot is not in the channel, the token is wrong, …
    uncertain: bool = False  # the message may have reached Slack


def _retry_after(error: SlackApiError) -> float | None:
    response = error.response
    if getattr(response, "status_code", None) != 429:
        return None
    headers = getattr(response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return max(1.0, float(value))
            except (TypeError, ValueError):
                break
    return 60.0  # a 429 without Retry-After: Slack's documented minimum is a minute


def _smtp(error: smtplib.SMTPException) -> Failure | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
    elif isinstance(error, smtplib.SMTPResponseException):
        codes = [error.smtp_code]
    else:
        return None
    if any(500 <= code < 600 for code in codes):
        return Failure(SMTP_REFUSED, needs_someone=True)
    return Failure(SMTP_UNAVAILABLE)


def _matrix(error: MatrixError) -> Failure:
    if error.code == "M_LIMIT_EXCEEDED":
        return Failure(RATELIMITED, retry_after=max(1.0, error.retry_after or 5.0))
    if error.code == "M_FORBIDDEN":
        return Failure(MATRIX_FORBIDDEN, needs_someone=True)
    if error.code in ("M_NOT_FOUND", "M_UNKNOWN_ROOM", "M_INVALID_PARAM"):
        return Failure(MATRIX_UNKNOWN_ROOM, needs_someone=True)
    return Failure(error.code)


def _webhook(error: WebhookRefused) -> Failure:
    if error.retry_after is not None:
        return Failure(RATELIMITED, retry_after=error.retry_after)
    # A server error may have come after the receiver took the delivery in.
    return Failure(f"{HTTP_PREFIX}{error.status}", uncertain=error.status >= 500)


def failure_of(error: BaseException) -> Failure:
    if isinstance(error, WebhookRefused):
        return _webhook(error)
    if isinstance(error, ReceiverGone):
        return Failure(RECEIVER_GONE, needs_someone=True)
    if isinstance(error, ReceiverInternal):
        return Failure(RECEIVER_INTERNAL, needs_someone=True)
    if isinstance(error, MatrixError):
        return _matrix(error)
    if isinstance(error, smtplib.SMTPException):
        found = _smtp(error)
        if found is not None:
            return found
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", 200)
        code = str((error.response.get("error") if error.response else None) or "slack_error")
        wait = _retry_after(error)
        if wait is not None:
            return Failure(RATELIMITED, retry_after=wait)
        if needs_someone(code):
            return Failure(code, needs_someone=True)
        return Failure(code, uncertain=status >= 500 or code in SLACK_MAYBE_DONE)
    if never_reached_slack(error if isinstance(error, Exception) else None):
        return Failure(type(error).__name__)
    uncertain = isinstance(error, TimeoutError | socket.timeout | ConnectionError | URLError)
    return Failure(type(error).__name__, uncertain=uncertain)
