"""The delivery runtime: what a process needs to send notices, and nothing of the chat bot.

It gives the notices their outlets (transports.outlets: each message rendered for Slack, Matrix
or e-mail and queued in the outbox, in the transaction of the change) and, once that has
committed, sends what was queued in the background through the transports this
installation has; a sweep sends whatever is still due. With Slack on, the Home tabs a change
touched are published again (Slack's Web API only), by the publisher the chat bot's runtime
hands it (`publish_home`: what a Home tab shows is the chat bot's, bot.home).

The web site installs it (`install`) to send a notice, and mounts the chat bot (bot.app,
/slack/events) only when Slack is configured; the chat bot's runtime (bot.runtime) and the
command line (`mm chat flush`, `mm digest`) build on one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Flask
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from domain.clock import Clock, SystemClock
from domain.delivery import Transport
from notices.outlets import attach
from transports import outbox
from transports.channels import Channels
from transports.mail.sender import MailSender
from transports.mail.settings import MailSettings, MailSettingsError
from transports.matrix.settings import MatrixSettings
from transports.outlets import ChatOutlets
from transports.pools import TrackingExecutor, drain
from transports.slack import client as slack_client
from transports.slack.sender import SlackSender
from transports.slack.settings import ChatSettings
from transports.webhook_sender import WebhookSender

if TYPE_CHECKING:
    from transports.matrix.sender import MatrixSender

log = logging.getLogger("mm.chat")

DEFERRED_RETRIES, DEFERRED_PAUSE = 50, 0.1
IN_APP = "mm.delivery"  # the web site's delivery runtime, in app.extensions


class Delivery:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        channels: Channels,
        client: WebClient | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.channels = channels
        settings = channels.slack
        # Home tabs are published with the listeners' client; the outbox's may wait a little
        # longer for Slack (transports.slack.client).
        self.client = client or slack_client.for_listeners(settings)
        # What publishes one person's Home tab: the chat bot's (bot.home), set by the chat
        # runtime that mounts it, so that delivering a notice needs no chat bot.
        self.publish_home: Callable[[str], None] | None = None
        self.sender = SlackSender(client or slack_client.for_deliveries(settings))
        self.matrix: MatrixSender | None = None
        if channels.matrix.enabled:
            # matrix-nio (and aiohttp under it) only in a process that sends to Matrix.
            from transports.matrix.sender import MatrixSender

            self.matrix = MatrixSender(channels.matrix, sessions)
        by_transport: dict[Transport, outbox.Sender] = {}
        if settings.enabled:
            by_transport[Transport.SLACK] = self.sender
        if self.matrix is not None:
            by_transport[Transport.MATRIX] = self.matrix
        if channels.mail.enabled:
            by_transport[Transport.EMAIL] = MailSender(channels.mail)
        # Webhooks go out whatever chat has (a sweep, `mm chat flush`, delivers them too).
        by_transport[Transport.WEBHOOK] = WebhookSender(sessions)
        self.senders = outbox.Senders(by_transport)
        self.deliveries = TrackingExecutor(2, "mm-chat-outbox")
        self.homes = TrackingExecutor(1, "mm-chat-home")  # Home tabs published again
        self._homes_due: set[str] = set()
        self._homes_lock = threading.Lock()
        # What else a sweep tidies (the chat bot forgets old request keys there).
        self.after_sweep: list[Callable[[], None]] = []
        # What the use cases' events notify (notices.bus) is queued for these channels,
        # and delivered by this runtime once the transaction has committed.
        attach(
            sessions,
            ChatOutlets(
                settings=settings,
                channels=channels,
                clock=clock,
                on_commit=self.deliver_soon,
                on_home=self.refresh_homes if settings.enabled else None,
            ),
        )

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
            if self.publish_home is not None:
                self.publish_home(user)

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

    def sweep(self) -> dict[str, int]:
        """Delivers everything due (and tidies what `after_sweep` names); safe anywhere."""
        counts = outbox.sweep(self.sessions, self.senders, self.clock.now)
        for tidy in self.after_sweep:
            tidy()
        return counts

    @property
    def pools(self) -> tuple[TrackingExecutor, ...]:
        return (self.deliveries, self.homes)

    def drain(self, timeout: float = 10.0) -> bool:
        """Waits until deliveries and Home tabs are idle."""
        return drain(self.pools, timeout)

    def close(self) -> None:
        self.drain()
        for pool in self.pools:
            pool.shutdown(wait=True)
        if self.matrix is not None:
            self.matrix.close()


def channels_of(app: Flask) -> Channels:
    """The ways of telling people the site's settings give it (a broken e-mail setting is
    logged and leaves e-mail off)."""
    try:
        mail = MailSettings.load(app.config)
    except MailSettingsError as error:
        log.error("E-mail is off: %s", error)
        mail = MailSettings()
    slack = ChatSettings.load(app.config)
    return Channels(slack=slack, matrix=MatrixSettings.load(app.config), mail=mail)


def install(app: Flask) -> Delivery | None:
    """The site sends its notices through the ways its settings give it (Slack's Web API,
    Matrix, e-mail); without any, one log line says chat is off and nothing is queued."""
    channels = channels_of(app)
    if not channels.transports:
        log.warning(channels.slack.off_reason())
        return None
    delivery = Delivery(
        app.extensions["mm.sessions"], app.config.get("CLOCK") or SystemClock(), channels
    )
    app.extensions[IN_APP] = delivery
    if not channels.slack.enabled:
        log.info("Slack is off; notices go by %s.", ", ".join(sorted(channels.transports)))
    return delivery
