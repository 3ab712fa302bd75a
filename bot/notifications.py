"""Chat notifications from the event log, through the outbox.

`install(sessions, …)` adds session listeners to a session factory: whenever a transaction
that appended an Event of interest commits, the messages about it were queued in that same
transaction (bot.outbox), and are delivered after the commit. The domain knows nothing of
chat; whichever adapter opens or answers a request (web site, chat, command line) gets the
notifications as long as its session factory has these listeners.

- requested: the request card, with Acceptera / Avböj, in the municipality's channel;
- accepted / declined / withdrawn: the card is updated (who answered and how, no buttons),
  and for an answer the investigator gets a direct message, when they are linked to Slack;
- anything that changes someone's work (a referral's events, capacity, rates):
  after the commit, `on_home` gets the Slack users whose Home tab shows it (the municipality's
  contacts, the referral's investigator, the coordinators), to publish it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event, inspect, or_, select
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from bot import outbox
from bot.cards import answer_message, card_key, request_card
from bot.channels import Channels, to_email, to_matrix
from bot.settings import ChatSettings
from domain.choices import Role
from domain.clock import Clock
from domain.delivery import Transport
from domain.events import REQUEST_KINDS, EventKind
from domain.notices import NoticeKind, by_chat, by_email
from services.notices import by_email_only, contacts_of, person
from storage.models import Event, PlacementRequest, Referral, User

log = logging.getLogger("mm.chat.notifications")

KINDS = REQUEST_KINDS
# Changes that never show on a Home tab.
NOT_ON_HOME = frozenset(
    {
        EventKind.LOGGED_IN,
        EventKind.USER_ADDED,
        EventKind.PROGRAM_LOADED,
        EventKind.CREATED,
        EventKind.CHAT_LINKED,  # the Home tab is published when it is next opened
    }
)
EVENTS_IN_SESSION = "mm.chat.events"
HOME_IN_SESSION = "mm.chat.home"
INSTALLED = "_mm_chat_notifications"


def install(
    sessions: sessionmaker[Session],
    *,
    settings: ChatSettings,
    clock: Clock,
    on_commit: Callable[[list[int]], None],
    on_home: Callable[[set[str]], None] | None = None,
    channels: Channels | None = None,
) -> None:
    """Adds the listeners to `sessions` (once); `on_commit` gets the ids queued by a commit,
    `on_home` the Slack users whose Home tab it changed."""
    if getattr(sessions, INSTALLED, False):
        return
    setattr(sessions, INSTALLED, True)

    def collect(session: Session, _flush_context: object) -> None:
        found = [o for o in session.new if isinstance(o, Event) and o.kind not in NOT_ON_HOME]
        if found:
            session.info.setdefault(EVENTS_IN_SESSION, []).extend(found)

    def queue(session: Session) -> None:
        if any(isinstance(o, Event) for o in session.new):
            session.flush()
        entries = [e for e in session.info.pop(EVENTS_IN_SESSION, []) if inspect(e).persistent]
        for entry in entries:  # (one whose savepoint was rolled back is not persistent)
            if entry.kind not in KINDS:
                continue
            try:
                with session.begin_nested():
                    queue_messages(
                        session, entry, settings=settings, clock=clock, channels=channels
                    )
            except Exception:  # a notification must never undo the change it is about
                log.exception("could not queue chat messages for event %s", entry.kind)
        if on_home is not None and entries:
            try:
                session.info[HOME_IN_SESSION] = home_audience(session, entries)
            except Exception:
                log.exception("could not find whose Home tab changed")

    def after_commit(session: Session) -> None:
        users = session.info.pop(HOME_IN_SESSION, None)
        if users and on_home is not None:
            try:
                on_home(users)
            except Exception:  # the change is committed; the next visit shows it
                log.exception("could not start publishing %s Home tab(s)", len(users))
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
            session.info.pop(HOME_IN_SESSION, None)
            outbox.forget_new(session)

    event.listen(sessions, "after_flush", collect)
    event.listen(sessions, "before_commit", queue)
    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_transaction_end", after_transaction_end)


def queue_messages(
    session: Session,
    entry: Event,
    *,
    settings: ChatSettings,
    clock: Clock,
    channels: Channels | None = None,
) -> None:
    """The outbox rows for one event (see the module docstring), in every channel the
    installation has: Slack, the municipality's Matrix room, and e-mail to whoever chose it."""
    channels = channels or Channels(slack=settings)
    transports = channels.transports
    request_id = (entry.details or {}).get("request_id")
    if entry.kind not in KINDS or not request_id:
        return
    request = session.get(PlacementRequest, request_id)
    if request is None:
        return
    session.refresh(request)
    now = clock.now()
    municipality = request.municipality
    card = request_card(request, settings)
    if entry.kind is EventKind.REQUESTED:
        if municipality.slack_channel and Transport.SLACK in transports:
            outbox.enqueue(
                session,
                key=card_key(request.id),
                channel=municipality.slack_channel,
                reply=card,
                now=now,
            )
        if municipality.matrix_room and Transport.MATRIX in transports:
            to_matrix(
                session,
                key=card_key(request.id),
                room=municipality.matrix_room,
                message=card,
                now=now,
            )
        if Transport.EMAIL in transports:
            for contact in by_email_only(
                contacts_of(session, NoticeKind.NEW_REQUEST, municipality.id)
            ):
                to_email(
                    session,
                    key=card_key(request.id),
                    user_id=contact.user_id,
                    address=contact.email,
                    message=card,
                    site_url=channels.site_url,
                    now=now,
                )
        return
    outbox.enqueue_update(
        session,
        key=f"request:{request.id}:answer",
        of_key=card_key(request.id),
        reply=card,
        now=now,
    )
    if Transport.MATRIX in transports:
        to_matrix(
            session,
            key=f"request:{request.id}:answer",
            room="",
            message=card,
            now=now,
            of_key=card_key(request.id),
        )
    if entry.kind not in (EventKind.ACCEPTED, EventKind.DECLINED):
        return
    investigator = person(session, NoticeKind.ANSWER, request.referral.investigator_id)
    if investigator is None:
        return
    notice = answer_message(request, settings)
    key = f"request:{request.id}:investigator"
    if by_chat(investigator.way) and investigator.slack_user_id and Transport.SLACK in transports:
        outbox.enqueue(session, key=key, channel=investigator.slack_user_id, reply=notice, now=now)
    if by_chat(investigator.way) and investigator.matrix_user_id and Transport.MATRIX in transports:
        to_matrix(session, key=key, room=investigator.matrix_user_id, message=notice, now=now)
    if by_email(investigator.way) and Transport.EMAIL in transports:
        to_email(
            session,
            key=key,
            user_id=investigator.user_id,
            address=investigator.email,
            message=notice,
            site_url=channels.site_url,
            now=now,
        )


def home_audience(session: Session, entries: list[Event]) -> set[str]:
    """The linked Slack users whose Home tab shows what these events changed."""
    municipalities = {e.municipality_id for e in entries if e.municipality_id}
    referral_ids = {e.referral_id for e in entries if e.referral_id}
    investigators: set[int] = set()
    if referral_ids:
        rows = session.execute(
            select(Referral.investigator_id, PlacementRequest.municipality_id)
            .outerjoin(PlacementRequest, PlacementRequest.referral_id == Referral.id)
            .where(Referral.id.in_(referral_ids))
        )
        for investigator_id, municipality_id in rows:
            investigators.add(investigator_id)
            if municipality_id:
                municipalities.add(municipality_id)
    who = [User.role == Role.COORDINATOR, User.id.in_(investigators)]
    if municipalities:
        who.append(
            (User.role == Role.MUNICIPALITY_CONTACT) & User.municipality_id.in_(municipalities)
        )
    found = session.scalars(
        select(User.slack_user_id).where(
            User.slack_user_id.is_not(None), User.active.is_(True), or_(*who)
        )
    )
    return {user for user in found if user}
