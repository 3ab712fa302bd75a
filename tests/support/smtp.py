"""A real SMTP server for the tests (aiosmtpd on loopback), keeping what it was given, and
able to answer the next messages with a temporary failure (4xx) or a refusal (5xx)."""

from __future__ import annotations

import email
import socket
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    recipients: list[str]
    message: Message


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # the next DATA answers, e.g. "451 …"
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            if self.answers:
                return self.answers.pop(0)
            self.received.append(
                Received(
                    list(envelope.rcpt_tos),
                    email.message_from_bytes(envelope.content, policy=policy.default),
                )
            )
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = _free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def answer_next(self, *answers: str) -> None:
        with self.handler.lock:
            self.handler.answers += answers

    def stop(self) -> None:
        self.controller.stop()
