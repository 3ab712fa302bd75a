"""What the running bot holds: settings, the database, the clock, the Slack clients, who the
bot is (bot.identity), and the threads that do the work after Slack has had its answer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta
from typing import Any, TypeVar

from slack_sdk import WebClient
from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot import dedupe, home, outbox, slack_client
from bot.channels import Channels
from bot.commands import ChatContext
from bot.identity import Identity
from bot.mail.sender import MailSender
from bot.mail.settings import MailSettings
from bot.matrix.sender import MatrixSender
from bot.matrix.settings import MatrixSettings
from bot.outlets import ChatOutlets
from bot.settings import OUTBOX_SWEEP_SECONDS, ChatSettings
from bot.slack_sender import SlackSender
from domain.clock import Clock
from domain.delivery import Transport
from domain.errors import DomainError
from domain.text import N_
from notices.outlets import attach
from storage.db import unit_of_work
from storage.models import ChatRequestSeen

log = logging.getLogger("mm.chat")

T = TypeVar("T")
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


class ChatRuntime:
    def __init__(
        self,
        settings: ChatSettings,
        sessions: sessionmaker[Session],
        clock: Clock,
        client: WebClient | None = None,
        channels: Channels | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.channels = channels or Channels(slack=settings)
        # The listeners' client waits for Slack only as long as a listener can afford; the
        # outbox's may wait a little longer (bot.slack_client).
        self.client = client or slack_client.for_listeners(settings)
        self.sender = SlackSender(client or slack_client.for_deliveries(settings))
        self.identity = Identity(settings)
        self.matrix = (
            MatrixSender(self.channels.matrix, sessions) if self.channels.matrix.enabled else None
        )
        by_transport: dict[Transport, outbox.Sender] = {}
        if settings.enabled:
            by_transport[Transport.SLACK] = self.sender
        if self.matrix is not None:
            by_transport[Transport.MATRIX] = self.matrix
        if self.channels.mail.enabled:
            by_transport[Transport.EMAIL] = MailSender(self.channels.mail)
        self.senders = outbox.Senders(by_transport)
        self.context = ChatContext(settings=settings, sessions=sessions, clock=clock)
        self.listeners = TrackingExecutor(8, "mm-chat-listener")  # Bolt's lazy listeners
        self.work = TrackingExecutor(8, "mm-chat-work")  # what a request asks for
        self.followups = TrackingExecutor(4, "mm-chat-followup")  # answers after the ack
        self.deliveries = TrackingExecutor(2, "mm-chat-outbox")
        self.homes = TrackingExecutor(1, "mm-chat-home")  # Home tabs published again
        self._homes_due: set[str] = set()
        self._homes_lock = threading.Lock()
        # Seconds a slash command may take before it is answered "one moment" instead.
        self.ack_budget = 2.0
        self._last_sweep = 0.0
        # What the use cases' events notify (notices.bus) is queued for these channels,
        # and delivered by this runtime once the transaction has committed.
        attach(
            sessions,
            ChatOutlets(
                settings=settings,
                channels=self.channels,
                clock=clock,
                on_commit=self.deliver_soon,
                on_home=self.refresh_homes if settings.enabled else None,
            ),
        )

    def first_time(self, key: str) -> bool:
        """Whether this request from Slack is new (bot.dedupe); runs after the ack timer has
        started, never before it. A database that cannot say lets the request through."""
        try:
            return dedupe.first_time(self.sessions, key, self.clock.now())
        except SQLAlchemyError:
            log.exception("could not record a Slack request; handling it anyway")
            return True

    def within_budget(
        self,
        work: Callable[[], T],
        late: Callable[[T | None, BaseException | None], None],
    ) -> tuple[bool, T | None]:
        """Runs `work` in the pool and waits for it at most `ack_budget` seconds: (True, its
        value) when it was ready in time (its error is raised); otherwise (False, None), and
        `late(value, error)` runs in the follow-up pool once the work is done. Handing over
        under a lock, so the outcome goes exactly one way."""
        lock = threading.Lock()
        state = {"finished": False, "late": False}

        def run() -> T | None:
            value: T | None = None
            error: BaseException | None = None
            try:
                value = work()
            except Exception as failure:
                error = failure
            with lock:
                state["finished"] = True
                if state["late"]:
                    self.followups.submit(late, value, error)
                    return None
            if error is not None:
                raise error
            return value

        future = self.work.submit(run)
        try:
            return True, future.result(timeout=self.ack_budget)
        except FutureTimeout:
            with lock:
                if not state["finished"]:
                    state["late"] = True
                    return False, None
            return True, future.result()

    def refresh_homes(self, slack_user_ids: set[str]) -> None:
        """Publishes these people's Home tabs again, in the background; several changes in a
        row publish each tab once."""
        with self._homes_lock:
            start = not self._homes_due
            self._homes_due |= slack_user_ids
        if start:
            self.homes.submit(self._publish_homes)

    def _publish_homes(self) -> None:
        while True:
            with self._homes_lock:
                if not self._homes_due:
                    return
                user = self._homes_due.pop()
            home.publish(self, user)

    def deliver_soon(self, message_ids: list[int]) -> None:
        """After a commit: send what it queued, in the background, then anything else due."""
        self.deliveries.submit(self._deliver, list(message_ids))

    def _deliver(self, message_ids: list[int]) -> None:
        for message_id in message_ids:
            for _attempt in range(DEFERRED_RETRIES):
                state = outbox.deliver(self.sessions, self.senders, message_id, self.clock.now())
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
        counts = outbox.sweep(self.sessions, self.senders, self.clock.now)
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
            pending = set().union(*(pool.pending() for pool in self.pools))
            if not pending:
                return True
            wait(pending, timeout=max(0.0, deadline - time.monotonic()))
        return False

    @property
    def pools(self) -> tuple[TrackingExecutor, ...]:
        return (self.listeners, self.work, self.followups, self.deliveries, self.homes)

    def close(self) -> None:
        self.drain()
        for pool in self.pools:
            pool.shutdown(wait=True)
        if self.matrix is not None:
            self.matrix.close()


class ChatOff(DomainError):
    """A command needs chat, and chat is not configured."""


def open_chat_runtime(
    sessions: sessionmaker[Session],
    clock: Clock,
    settings: ChatSettings | None = None,
    channels: Channels | None = None,
) -> ChatRuntime:
    """The bot's runtime for a process outside the web site (`mm chat`, `mm digest`): any
    of Slack, Matrix and e-mail that is configured."""
    settings = settings or ChatSettings.load()
    channels = channels or Channels(
        slack=settings, matrix=MatrixSettings.load(), mail=MailSettings.load()
    )
    if not channels.transports:
        raise ChatOff(N_("Chat is off: SLACK_BOT_TOKEN is not set."))
    return ChatRuntime(settings, sessions, clock, channels=channels)
