"""The Web API client, with slack_sdk's own retry handlers, bounded by what each caller can
afford to wait.

Every call is retried at most once (the handlers share one counter):
- HTTP 429: after Retry-After, but only when that is short enough for the caller; a longer
  wait goes back to the caller as SlackApiError (the outbox then schedules the message at
  Retry-After, see transports.delivery);
- connection errors and HTTP 500/503: once more, except for a post that may already have
  reached Slack (a reset connection, a server error): posting again could post twice, so the
  outbox first looks for the message in the channel's history (transports.outbox).

`for_listeners` is the client of the listeners (after the acknowledgement): a modal's
trigger id lasts 3 seconds, so views.open waits for Retry-After only when it is 1 second;
other calls wait at most a few seconds. `for_deliveries` is the outbox's client.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from transports.slack.settings import ChatSettings

# Calls that change something each time they are made: never repeated blindly.
NOT_REPEATABLE = frozenset({"chat.postMessage", "chat.postEphemeral"})
# Calls that use a trigger id, which Slack honours for 3 seconds after the click.
TRIGGERED = frozenset({"views.open", "views.push"})
# slack_sdk sleeps Retry-After plus up to one second of jitter.
JITTER = 1.0


def api_method(request: HttpRequest) -> str:
    found = re.search(r"/api/([A-Za-z.]+)", request.url or "")
    return found.group(1) if found else ""


def retry_after(response: HttpResponse | None) -> float | None:
    """Seconds Slack asked to wait (the Retry-After header), or None."""
    if response is None:
        return None
    for name, values in (response.headers or {}).items():
        if name.lower() == "retry-after":
            value = values[0] if isinstance(values, list) else values
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None


@dataclass(frozen=True)
class Patience:
    """How long one caller may wait for a retry, in seconds."""

    triggered: float  # views.open / views.push
    other: float  # everything else

    def allows(self, method: str, wait: float) -> bool:
        limit = self.triggered if method in TRIGGERED else self.other
        return wait + JITTER <= limit


LISTENERS = Patience(triggered=2.5, other=5.0)
DELIVERIES = Patience(triggered=2.5, other=5.0)


class BoundedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Slack's rate-limit handler, retrying only when Retry-After fits the caller's patience."""

    def __init__(self, patience: Patience) -> None:
        super().__init__(max_retry_count=1)
        self.patience = patience

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = retry_after(response)
        return self.patience.allows(api_method(request), 1.0 if wait is None else wait)


def never_reached_slack(error: Exception | None) -> bool:
    """A refused connection or an unknown host: the request never left."""
    reason = error.reason if isinstance(error, URLError) else error
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


class SafeConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    """Retries connection errors; a post only when it surely never reached Slack."""

    def __init__(self) -> None:
        super().__init__(max_retry_count=1)

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if api_method(request) in NOT_REPEATABLE and not never_reached_slack(error):
            return False
        if never_reached_slack(error):
            return True
        return super()._can_retry(state=state, request=request, response=response, error=error)


class RepeatableServerErrorRetryHandler(ServerErrorRetryHandler):
    """Retries HTTP 500/503 for calls that may safely be made twice."""

    def __init__(self) -> None:
        super().__init__(max_retry_count=1)

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if api_method(request) in NOT_REPEATABLE:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def retry_handlers(patience: Patience) -> list[RetryHandler]:
    return [
        BoundedRateLimitRetryHandler(patience),
        SafeConnectionErrorRetryHandler(),
        RepeatableServerErrorRetryHandler(),
    ]


def make_client(settings: ChatSettings, patience: Patience, timeout: int = 10) -> WebClient:
    """A Web API client; SLACK_API_URL points it at a stand-in."""
    options: dict[str, object] = {
        "token": settings.bot_token,
        "timeout": timeout,
        "retry_handlers": retry_handlers(patience),
    }
    if settings.api_url:
        options["base_url"] = settings.api_url
    return WebClient(**options)  # type: ignore[arg-type]


def for_listeners(settings: ChatSettings) -> WebClient:
    return make_client(settings, LISTENERS, timeout=5)


def for_deliveries(settings: ChatSettings) -> WebClient:
    return make_client(settings, DELIVERIES, timeout=10)
