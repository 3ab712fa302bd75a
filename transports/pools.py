"""A thread pool that can tell when all it was given is done: the delivery runtime's and the
chat bot's background work (tests and shutdown wait for it)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

log = logging.getLogger("mm.chat")


class TrackingExecutor(ThreadPoolExecutor):
    """A thread pool that can tell when all it was given is done (tests and shutdown)."""

    def __init__(self, max_workers: int, thread_name_prefix: str) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._lock = threading.Lock()
        self._pending: set[Future[Any]] = set()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)
        if future.exception() is not None:
            log.error("chat work failed", exc_info=future.exception())

    def pending(self) -> set[Future[Any]]:
        with self._lock:
            return set(self._pending)


def drain(pools: Iterable[TrackingExecutor], timeout: float) -> bool:
    """Waits until every pool is idle (work may start more work); False after `timeout`."""
    pools = tuple(pools)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = set().union(*(pool.pending() for pool in pools))
        if not pending:
            return True
        wait(pending, timeout=max(0.0, deadline - time.monotonic()))
    return False
