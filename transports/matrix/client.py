"""matrix-nio from synchronous code: one event loop on a thread of its own, one AsyncClient
on it, logged in once (with the access token, or the password when there is none).

nio retries by itself; here at most once after a rate limit (at the homeserver's
retry_after_ms) and once after a timeout, so no caller waits long: the outbox tries again
later. A refusal becomes MatrixError with the homeserver's error code.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from nio import AsyncClient, AsyncClientConfig, ErrorResponse, LoginError

from transports.matrix.errors import MatrixError
from transports.matrix.settings import MatrixSettings

__all__ = ["Loop", "MatrixError", "checked", "logged_in", "new_client"]

T = TypeVar("T")
TIMEOUT = 10.0


def checked(response: Any) -> Any:
    if isinstance(response, ErrorResponse):
        wait = getattr(response, "retry_after_ms", None)
        raise MatrixError(
            str(response.status_code or "M_UNKNOWN"),
            str(response.message or ""),
            wait / 1000 if wait else None,
        )
    return response


class Loop:
    """An asyncio loop on a daemon thread, for running coroutines from threads."""

    def __init__(self, name: str = "mm-matrix") -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def new_client(settings: MatrixSettings) -> AsyncClient:
    config = AsyncClientConfig(
        max_limit_exceeded=1, max_timeouts=1, request_timeout=TIMEOUT, backoff_factor=0.5
    )
    client = AsyncClient(settings.homeserver, settings.user_id, config=config)
    if settings.access_token:
        client.restore_login(settings.user_id, "MMBOT", settings.access_token)
    return client


async def logged_in(client: AsyncClient, settings: MatrixSettings) -> AsyncClient:
    """Logs in with the password once, when there is no access token."""
    if not client.access_token:
        done = await client.login(settings.password, device_name="Möjlighetsmodellen")
        if isinstance(done, LoginError):
            raise MatrixError(str(done.status_code or "M_FORBIDDEN"), str(done.message or ""))
    return client
