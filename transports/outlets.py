"""The outlets the delivery runtime gives the notices (notices.outlets): each message
rendered for Slack, the Matrix room or e-mail and queued in the outbox, and, after the
commit, delivered in the background and the Home tabs it changed published again
(transports.delivery)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from domain.clock import Clock
from domain.delivery import Transport
from notices import home, request_cards, requisition_messages
from notices.message import Message
from notices.outbox import new_in
from notices.requisition_notice import RequisitionNotice
from storage.models import PlacementRequest
from transports import outbox
from transports.channels import Channels, to_email, to_matrix
from transports.slack.settings import ChatSettings

log = logging.getLogger("mm.chat.notifications")


@dataclass(frozen=True)
class ChatOutlets:
    settings: ChatSettings
    channels: Channels
    clock: Clock
    on_commit: Callable[[list[int]], None]
    on_home: Callable[[set[str]], None] | None = None

    def now(self) -> datetime:
        return self.clock.now()

    @property
    def transports(self) -> frozenset[Transport]:
        return self.channels.transports

    @property
    def home_tabs(self) -> bool:
        return self.on_home is not None

    def request_card(self, request: PlacementRequest) -> Message:
        return request_cards.request_card(request, self.settings)

    def answer_message(self, request: PlacementRequest) -> Message:
        return request_cards.answer_message(request, self.settings)

    def requisition_message(self, notice: RequisitionNotice) -> Message:
        return requisition_messages.requisition_message(notice, self.settings)

    def to_slack(
        self, session: Session, *, key: str, channel: str, message: object, now: datetime
    ) -> None:
        outbox.enqueue(session, key=key, channel=channel, reply=_message(message), now=now)

    def update_slack(
        self, session: Session, *, key: str, of_key: str, message: object, now: datetime
    ) -> None:
        outbox.enqueue_update(session, key=key, of_key=of_key, reply=_message(message), now=now)

    def to_matrix(
        self,
        session: Session,
        *,
        key: str,
        room: str,
        message: object,
        now: datetime,
        of_key: str | None = None,
    ) -> None:
        to_matrix(session, key=key, room=room, message=_message(message), now=now, of_key=of_key)

    def to_email(
        self,
        session: Session,
        *,
        key: str,
        user_id: int,
        address: str,
        message: object,
        now: datetime,
    ) -> None:
        to_email(
            session,
            key=key,
            user_id=user_id,
            address=address,
            message=_message(message),
            site_url=self.channels.site_url,
            now=now,
        )

    def after_commit(self, session: Session) -> None:
        users = home.due(session)
        if users and self.on_home is not None:
            try:
                self.on_home(users)
            except Exception:  # the change is committed; the next visit shows it
                log.exception("could not start publishing %s Home tab(s)", len(users))
        queued = new_in(session)
        if not queued:
            return
        try:
            self.on_commit(queued)
        except Exception:  # the change is committed; a sweep sends the messages later
            log.exception("could not start sending %s chat message(s)", len(queued))


def _message(message: object) -> Message:
    if not isinstance(message, Message):
        raise TypeError(f"a notice is a notices.message.Message, not {type(message).__name__}")
    return message
