"""What the running bot holds: settings, the database, the clock, the Slack client, and the
threads that do the work after Slack has had its answer (listeners and outbox deliveries)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from bot import notifications, outbox
from bot.commands import ChatContext
from bot.settings import OUTBOX_SWEEP_SECONDS, ChatSettings
from domain.clock import Clock
from domain.errors import DomainError
from domain.text import N_
from storage.db import unit_of_work
from storage.models import ChatRequestSeen

log = logging.getLogger("mm.chat")

SEEN_KEPT_FOR = timedelta(days=1)
DEFERRED_RETRIES, DEFERRED_PAUSE = 50, 0.1


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


def make_client(settings: ChatSettings) -> WebClient:
    """The Web API client; SLACK_API_URL points it at a stand-in. No retries of its own:
    the outbox decides what is sent again, so nothing is posted twice."""
    options: dict[str, Any] = {"token": settings.bot_token, "timeout": 10, "retry_handlers": []}
    if settings.api_url:
        options["base_url"] = settings.api_url
    return WebClient(**options)


class ChatRuntime:
    def __init__(
        self,
        settings: ChatSettings,
        sessions: sessionmaker[Session],
        clock: Clock,
        client: WebClient | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.client = client or make_client(settings)
        self.sender = outbox.SlackSender(self.client)
        self.context = ChatContext(settings=settings, sessions=sessions, clock=clock)
        self.listeners = TrackingExecutor(8, "mm-chat-listener")  # Bolt's listeners
        self.work = TrackingExecutor(8, "mm-chat-work")  # commands, timed by the listener
        self.deliveries = TrackingExecutor(2, "mm-chat-outbox")
        # Seconds a slash command may take before it is answered "one moment" instead.
        self.ack_budget = 2.0
        self._last_sweep = 0.0
        notifications.install(sessions, settings=settings, clock=clock, on_commit=self.deliver_soon)

    def deliver_soon(self, message_ids: list[int]) -> None:
        """After a commit: send what it queued, in the background, then anything else due."""
        self.deliveries.submit(self._deliver, list(message_ids))

    def _deliver(self, message_ids: list[int]) -> None:
        for message_id in message_ids:
            for _attempt in range(DEFERRED_RETRIES):
                state = outbox.deliver(self.sessions, self.sender, message_id, self.clock.now())
                if state != outbox.DEFERRED:
                    break
                time.sleep(DEFERRED_PAUSE)
        self.sweep()

    def sweep_now_and_then(self) -> None:
        """On Slack traffic: a sweep in the background, at most once per OUTBOX_SWEEP_SECONDS, so
        that in HTTP mode a failed send is retried even when nothing new is queued."""
        now = time.monotonic()
        if now - self._last_sweep >= OUTBOX_SWEEP_SECONDS:
            self._last_sweep = now
            self.deliveries.submit(self.sweep)

    def sweep(self) -> dict[str, int]:
        """Delivers everything due and forgets old request keys; safe to run anywhere."""
        counts = outbox.sweep(self.sessions, self.sender, self.clock.now)
        with unit_of_work(self.sessions) as session:
            session.execute(
                delete(ChatRequestSeen).where(
                    ChatRequestSeen.seen_at < self.clock.now() - SEEN_KEPT_FOR
                )
            )
        return counts

    def drain(self, timeout: float = 10.0) -> bool:
        """Waits until listeners and deliveries are idle (work may start more work)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = self.listeners.pending() | self.work.pending() | self.deliveries.pending()
            if not pending:
                return True
            wait(pending, timeout=max(0.0, deadline - time.monotonic()))
        return False

    def close(self) -> None:
        self.drain()
        for pool in (self.listeners, self.work, self.deliveries):
            pool.shutdown(wait=True)


class ChatOff(DomainError):
    """A command needs chat, and chat is not configured."""


def open_chat_runtime(
    sessions: sessionmaker[Session], clock: Clock, settings: ChatSettings | None = None
) -> ChatRuntime:
    """The bot's runtime for a process outside the web site (`mm chat`, `mm digest`)."""
    settings = settings or ChatSettings.load()
    if not settings.enabled:
        raise ChatOff(N_("Chat is off: SLACK_BOT_TOKEN is not set."))
    return ChatRuntime(settings, sessions, clock)
