"""Chat notifications from the event log, through the outbox.

`install(sessions, …)` adds session listeners to a session factory: whenever a transaction
that appended an Event of interest commits, the messages about it were queued in that same
transaction (bot.outbox), and are delivered after the commit. The domain knows nothing of
chat; whichever adapter opens or answers a request (web site, chat, command line) gets the
notifications as long as its session factory has these listeners.

- requested: the request card, with Acceptera / Avböj, in the municipality's channel;
- accepted / declined / withdrawn: the card is updated (who answered and how, no buttons),
  and for an answer the investigator gets a direct message, when they are linked to Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from bot import outbox
from bot.cards import answer_message, card_key, request_card
from bot.settings import ChatSettings
from domain.clock import Clock
from domain.events import REQUEST_KINDS, EventKind
from storage.models import Event, PlacementRequest

log = logging.getLogger("mm.chat.notifications")

KINDS = REQUEST_KINDS
EVENTS_IN_SESSION = "mm.chat.events"
INSTALLED = "_mm_chat_notifications"


def install(
    sessions: sessionmaker[Session],
    *,
    settings: ChatSettings,
    clock: Clock,
    on_commit: Callable[[list[int]], None],
) -> None:
    """Adds the listeners to `sessions` (once); `on_commit` gets the ids queued by a commit."""
    if getattr(sessions, INSTALLED, False):
        return
    setattr(sessions, INSTALLED, True)

    def collect(session: Session, _flush_context: object) -> None:
        found = [o for o in session.new if isinstance(o, Event) and o.kind in KINDS]
        if found:
            session.info.setdefault(EVENTS_IN_SESSION, []).extend(found)

    def queue(session: Session) -> None:
        if any(isinstance(o, Event) for o in session.new):
            session.flush()
        for entry in session.info.pop(EVENTS_IN_SESSION, []):
            if not inspect(entry).persistent:  # its savepoint was rolled back
                continue
            try:
                with session.begin_nested():
                    queue_messages(session, entry, settings=settings, clock=clock)
            except Exception:  # a notification must never undo the change it is about
                log.exception("could not queue chat messages for event %s", entry.kind)

    def after_commit(session: Session) -> None:
        queued = outbox.new_in(session)
        if not queued:
            return
        try:
            on_commit(queued)
        except Exception:  # the change is committed; a sweep sends the messages later
            log.exception("could not start sending %s chat message(s)", len(queued))

    def after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:  # the whole transaction is over: start afresh
            session.info.pop(EVENTS_IN_SESSION, None)
            outbox.forget_new(session)

    event.listen(sessions, "after_flush", collect)
    event.listen(sessions, "before_commit", queue)
    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_transaction_end", after_transaction_end)


def queue_messages(session: Session, entry: Event, *, settings: ChatSettings, clock: Clock) -> None:
    """The outbox rows for one event (see the module docstring)."""
    request_id = (entry.details or {}).get("request_id")
    if entry.kind not in KINDS or not request_id:
        return
    request = session.get(PlacementRequest, request_id)
    if request is None:
        return
    session.refresh(request)
    now = clock.now()
    if entry.kind is EventKind.REQUESTED:
        channel = request.municipality.slack_channel
        if channel:
            outbox.enqueue(
                session,
                key=card_key(request.id),
                channel=channel,
                reply=request_card(request, settings),
                now=now,
            )
        return
    outbox.enqueue_update(
        session,
        key=f"request:{request.id}:answer",
        of_key=card_key(request.id),
        reply=request_card(request, settings),
        now=now,
    )
    investigator = request.referral.investigator
    answered = entry.kind in (EventKind.ACCEPTED, EventKind.DECLINED)
    if answered and investigator.slack_user_id and investigator.active:
        outbox.enqueue(
            session,
            key=f"request:{request.id}:investigator",
            channel=investigator.slack_user_id,
            reply=answer_message(request, settings),
            now=now,
        )
