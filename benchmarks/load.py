"""Concurrent clients for `make bench`: threads with keep-alive HTTP connections, each
sending its share of requests and timing every one; and the percentiles of the timings."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# (method, path, body, headers) of the next request, made fresh for each one.
MakeRequest = Callable[[], tuple[str, str, bytes | None, dict[str, str]]]
# Checks an answer: (status, body) -> a problem, or None when it is what was asked for.
Check = Callable[[int, bytes], str | None]


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.seconds)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
        return ordered[index]

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)

    @property
    def worst(self) -> float:
        return max(self.seconds, default=float("nan"))


class Client:
    """One keep-alive connection to one server."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.connection: http.client.HTTPConnection | None = None

    def send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError):
                # The server closed an idle keep-alive connection: open a new one once.
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def burst(
    base_url: str,
    make: MakeRequest,
    check: Check,
    *,
    clients: int,
    per_client: int,
    timings: Timings,
    time_limit: float | None = None,
) -> None:
    """`clients` threads at once, each sending `per_client` requests one after another (or
    as many as fit in `time_limit` seconds, at least one)."""
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def run() -> None:
        client = Client(base_url)
        start.wait()
        began = time.perf_counter()
        try:
            for number in range(per_client):
                if time_limit is not None and number and time.perf_counter() - began > time_limit:
                    break
                method, path, body, headers = make()
                sent = time.perf_counter()
                try:
                    status, answer = client.send(method, path, body, headers)
                    problem = check(status, answer)
                except OSError as error:
                    problem = f"{type(error).__name__}: {error}"
                took = time.perf_counter() - sent
                with lock:
                    timings.seconds.append(took)
                    if problem:
                        timings.problems.append(problem)
        finally:
            client.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
