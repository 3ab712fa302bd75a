"""Which ways of telling people this installation has — Slack, Matrix, e-mail — and the
one place that queues a message to each of them (rendered there from one Message).

Keys: a Slack message keeps the key it always had (request:<id>:card, digest:<channel>:<day>);
the same message to Matrix adds `:matrix`, an e-mail `:email:<user id>`, so each is queued
once, however often the code that queues it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from domain.delivery import Transport
from domain.errors import RuleViolation
from notices import outbox
from notices.message import Message
from services.program_setup import current_program
from storage.models import ChatOutbox
from transports.mail.render import email_of
from transports.mail.settings import MailSettings
from transports.matrix.render import content_of
from transports.matrix.settings import MatrixSettings
from transports.slack.settings import ChatSettings


@dataclass(frozen=True)
class Channels:
    slack: ChatSettings = field(default_factory=ChatSettings)
    matrix: MatrixSettings = field(default_factory=MatrixSettings)
    mail: MailSettings = field(default_factory=MailSettings)

    @property
    def transports(self) -> frozenset[Transport]:
        found = set()
        if self.slack.enabled:
            found.add(Transport.SLACK)
        if self.matrix.enabled:
            found.add(Transport.MATRIX)
        if self.mail.enabled:
            found.add(Transport.EMAIL)
        return frozenset(found)

    @property
    def site_url(self) -> str:
        return self.slack.site_url


def organisation(session: Session) -> str:
    try:
        return current_program(session).name
    except RuleViolation:
        return "Möjlighetsmodellen"


def to_matrix(
    session: Session,
    *,
    key: str,
    room: str,
    message: Message,
    now: datetime,
    of_key: str | None = None,
) -> ChatOutbox | None:
    """A room (!…) or a user's direct chat (@…)."""
    return outbox.enqueue_payload(
        session,
        key=f"{key}:matrix",
        transport=Transport.MATRIX,
        channel=room,
        text=message.text,
        payload=content_of(message),
        now=now,
        of_key=f"{of_key}:matrix" if of_key else None,
    )


def to_email(
    session: Session,
    *,
    key: str,
    user_id: int,
    address: str,
    message: Message,
    site_url: str,
    now: datetime,
) -> ChatOutbox | None:
    return outbox.enqueue_payload(
        session,
        key=f"{key}:email:{user_id}",
        transport=Transport.EMAIL,
        channel=address,
        text=message.text,
        payload=email_of(message, organisation=organisation(session), site_url=site_url),
        now=now,
    )
