"""What the running chat bot holds: settings, the database, the clock, who the bot is
(bot.identity), the threads that do the work after Slack has had its answer, and the
delivery runtime (transports.delivery) through which everything it queues is sent."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta
from typing import TypeVar

from slack_sdk import WebClient
from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot import dedupe, home
from bot.chat_context import ChatContext
from bot.identity import Identity
from domain.clock import Clock
from domain.errors import DomainError
from domain.text import N_
from storage.db import unit_of_work
from storage.models import ChatRequestSeen
from transports.channels import Channels
from transports.delivery import Delivery
from transports.mail.settings import MailSettings
from transports.matrix.settings import MatrixSettings
from transports.pools import TrackingExecutor, drain
from transports.slack.settings import OUTBOX_SWEEP_SECONDS, ChatSettings

log = logging.getLogger("mm.chat")

T = TypeVar("T")
SEEN_KEPT_FOR = timedelta(days=1)
# Seconds a slash command or a modal may take before it is acknowledged with "one moment" or
# "saving" and answered later: well within Slack's 3 seconds.
ACK_BUDGET = 2.0


class ChatRuntime:
    def __init__(
        self,
        settings: ChatSettings,
        sessions: sessionmaker[Session],
        clock: Clock,
        client: WebClient | None = None,
        channels: Channels | None = None,
        delivery: Delivery | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        # The process's delivery runtime (the web site's, or one of its own): it sends what
        # the bot queues, and what the use cases' events notify.
        self.delivery = delivery or Delivery(
            sessions, clock, channels or Channels(slack=settings), client
        )
        self.delivery.after_sweep.append(self._forget_old_requests)
        self.channels = self.delivery.channels
        self.client = self.delivery.client
        self.sender = self.delivery.sender
        self.matrix = self.delivery.matrix
        self.senders = self.delivery.senders
        # The chat bot's context; with it the delivery runtime publishes Home tabs again.
        self.context = ChatContext(
            settings=self.channels.slack, sessions=sessions, clock=self.delivery.clock
        )
        self.delivery.publish_home = self._publish_home
        self.identity = Identity(settings)
        self.listeners = TrackingExecutor(8, "mm-chat-listener")  # Bolt's lazy listeners
        self.work = TrackingExecutor(8, "mm-chat-work")  # what a request asks for
        self.followups = TrackingExecutor(4, "mm-chat-followup")  # answers after the ack
        self.ack_budget = ACK_BUDGET
        self._last_sweep = 0.0

    @property
    def clock(self) -> Clock:
        """The clock the bot and its deliveries run by (one, so a test can move both)."""
        return self.delivery.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.delivery.clock = clock

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
        self.delivery.refresh_homes(slack_user_ids)

    def _publish_home(self, slack_user_id: str) -> None:
        home.publish(self.context, self.client, slack_user_id)

    def deliver_soon(self, message_ids: list[int]) -> None:
        self.delivery.deliver_soon(message_ids)

    def sweep_now_and_then(self) -> None:
        """On Slack traffic: a sweep in the background, at most once per OUTBOX_SWEEP_SECONDS, so
        that in HTTP mode a failed send is retried even when nothing new is queued."""
        now = time.monotonic()
        if now - self._last_sweep >= OUTBOX_SWEEP_SECONDS:
            self._last_sweep = now
            self.delivery.deliveries.submit(self.sweep)

    def sweep(self) -> dict[str, int]:
        """Delivers everything due and forgets old request keys; safe to run anywhere."""
        return self.delivery.sweep()

    def _forget_old_requests(self) -> None:
        with unit_of_work(self.sessions) as session:
            session.execute(
                delete(ChatRequestSeen).where(
                    ChatRequestSeen.seen_at < self.clock.now() - SEEN_KEPT_FOR
                )
            )

    def drain(self, timeout: float = 10.0) -> bool:
        """Waits until listeners and deliveries are idle (work may start more work)."""
        return drain(self.pools, timeout)

    @property
    def pools(self) -> tuple[TrackingExecutor, ...]:
        return (self.listeners, self.work, self.followups, *self.delivery.pools)

    def close(self) -> None:
        self.drain()
        for pool in (self.listeners, self.work, self.followups):
            pool.shutdown(wait=True)
        self.delivery.close()


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
