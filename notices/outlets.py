"""How the installation tells people: the ways it has (Slack, Matrix, e-mail) and the one
place that renders a message for each and queues it in the outbox. The notices decide who
is told what; the outlets decide how it looks in each transport.

The delivery runtime provides them (transports.delivery attaches
transports.outlets.ChatOutlets to the process's session factory, with or without the chat
bot); a process without any way of telling people queues nothing, as before.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from domain.delivery import Transport
from domain.notices import by_chat, by_email
from notices.recipients import Recipient
from notices.requisition_notice import RequisitionNotice
from storage.db import after_commit
from storage.models import Event, PlacementRequest

OUTLETS_IN_SESSION = "mm.notices.outlets"
WAKE_IN_SESSION = "mm.notices.wake"
# The log row of the event being published (notices.bus.publish sets it for its subscribers).
LOGGED_IN_SESSION = "mm.notices.logged"


class Outlets(Protocol):
    def now(self) -> datetime:
        """The time messages are queued at (the deliverer's clock)."""
        ...

    @property
    def transports(self) -> frozenset[Transport]: ...

    @property
    def home_tabs(self) -> bool:
        """Whether Home tabs are published (Slack is on)."""
        ...

    def request_card(self, request: PlacementRequest) -> object:
        """The municipality's card about a request, as it stands."""
        ...

    def answer_message(self, request: PlacementRequest) -> object:
        """The investigator's message about an answer to their request."""
        ...

    def requisition_message(self, notice: RequisitionNotice) -> object:
        """A requisition basis that moved to the reader (notices.requisitions)."""
        ...

    def to_slack(
        self, session: Session, *, key: str, channel: str, message: object, now: datetime
    ) -> None: ...

    def update_slack(
        self, session: Session, *, key: str, of_key: str, message: object, now: datetime
    ) -> None: ...

    def to_matrix(
        self,
        session: Session,
        *,
        key: str,
        room: str,
        message: object,
        now: datetime,
        of_key: str | None = None,
    ) -> None: ...

    def to_email(
        self,
        session: Session,
        *,
        key: str,
        user_id: int,
        address: str,
        message: object,
        now: datetime,
    ) -> None: ...

    def after_commit(self, session: Session) -> None:
        """Starts delivering what `session` queued, and publishing the Home tabs its events
        changed (notices.home.due)."""
        ...


def attach(sessions: sessionmaker[Session], outlets: Outlets) -> None:
    """Every session `sessions` makes tells people through `outlets` (the first attached)."""
    info = sessions.kw.setdefault("info", {})
    info.setdefault(OUTLETS_IN_SESSION, outlets)


def outlets_of(session: Session) -> Outlets | None:
    found: Outlets | None = session.info.get(OUTLETS_IN_SESSION)
    return found


def wake_after_commit(session: Session) -> None:
    """Once `session`'s unit of work has committed, the outlets start delivering what it
    queued (called by whatever queues: the outbox, notices.bus)."""
    outlets = outlets_of(session)
    if outlets is None or session.info.get(WAKE_IN_SESSION):
        return
    session.info[WAKE_IN_SESSION] = True
    after_commit(session, lambda: outlets.after_commit(session))


def logged_of(session: Session) -> Event | None:
    """The log row of the event whose subscribers run now (None outside notices.bus)."""
    found = session.info.get(LOGGED_IN_SESSION)
    return found if isinstance(found, Event) else None


def tell(
    session: Session,
    outlets: Outlets,
    person: Recipient,
    *,
    key: str,
    message: object,
    now: datetime,
) -> None:
    """One person's notice in each way they chose (chat: Slack and/or Matrix where they are
    linked; e-mail) and the installation has: the one per-person channel rule."""
    transports = outlets.transports
    if by_chat(person.way) and person.slack_user_id and Transport.SLACK in transports:
        outlets.to_slack(session, key=key, channel=person.slack_user_id, message=message, now=now)
    if by_chat(person.way) and person.matrix_user_id and Transport.MATRIX in transports:
        outlets.to_matrix(session, key=key, room=person.matrix_user_id, message=message, now=now)
    if by_email(person.way) and Transport.EMAIL in transports:
        outlets.to_email(
            session,
            key=key,
            user_id=person.user_id,
            address=person.email,
            message=message,
            now=now,
        )
