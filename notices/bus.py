"""What follows from each event: one registry, SUBSCRIBERS, from event type to the
subscribers that turn it into notices (in the shape of cosmicpython's message bus).

services.history.record keeps an event and calls `publish`, in the use case's transaction:
each subscriber queues its messages in the outbox (notices.outlets) there, so a change that
rolls back sends nothing and one that commits loses nothing. Once the unit of work has
committed, it runs the outlets' `after_commit` (notices.outlets.wake_after_commit,
storage.db.after_commit), which starts delivering what was queued.

To add a subscriber: a function `(session, event, outlets, now) -> None` (`now`: the
outlets' clock, when the messages are queued) that writes only codes, municipalities, dates
and statuses, and its name in the event type's tuple below. Most subscribers tell people
through the chat outlets and run only where there are some; one that needs none (the
webhooks, which the outbox delivers over HTTP) is listed in OUTLET_FREE as well and runs on
every site, with `outlets` None there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from domain.events import DomainEvent
from domain.typed_events import (
    BY_KIND,
    ReferralWithdrawn,
    RequestAccepted,
    RequestDeclined,
    RequestSent,
    RequisitionAttested,
    RequisitionPaid,
    RequisitionReturned,
    RequisitionSubmitted,
)
from notices import home, requests, requisitions, webhooks
from notices.outlets import LOGGED_IN_SESSION, Outlets, outlets_of, wake_after_commit
from storage.models import Event

log = logging.getLogger("mm.notices")

# A subscriber of one event type: the event it gets is of that type.
Subscriber = Callable[[Session, Any, Outlets, datetime], None]
# A subscriber that needs no chat outlet (it gets None where there is none).
OutletFree = Callable[[Session, Any, Outlets | None, datetime], None]

OUTLET_FREE: tuple[OutletFree, ...] = (webhooks.to_receivers,)

_NOTIFYING: dict[type[DomainEvent], tuple[Subscriber, ...]] = {
    RequestSent: (requests.card_to_municipality, home.refresh_tabs),
    RequestAccepted: (
        requests.answer_on_card,
        requests.answer_to_investigator,
        home.refresh_tabs,
    ),
    RequestDeclined: (
        requests.answer_on_card,
        requests.answer_to_investigator,
        home.refresh_tabs,
    ),
    ReferralWithdrawn: (requests.answer_on_card, home.refresh_tabs),
    # The next person in the requisition loop (notices.requisitions).
    RequisitionSubmitted: (requisitions.submitted_to_coordinators, home.refresh_tabs),
    RequisitionReturned: (requisitions.returned_to_municipality, home.refresh_tabs),
    RequisitionAttested: (requisitions.attested_to_association, home.refresh_tabs),
    RequisitionPaid: (requisitions.paid_to_municipality, home.refresh_tabs),
}

_TOLD = {
    # Everything else that shows on a Home tab refreshes it.
    **{
        event_type: (home.refresh_tabs,)
        for kind, event_type in BY_KIND.items()
        if kind not in home.NOT_ON_HOME
    },
    **_NOTIFYING,
}
# The webhook receivers (notices.webhooks) are told of the kinds they may follow, last.
SUBSCRIBERS: dict[type[DomainEvent], tuple[Subscriber, ...]] = {
    event_type: _TOLD.get(event_type, ())
    + ((webhooks.to_receivers,) if kind in webhooks.FOLLOWED else ())
    for kind, event_type in BY_KIND.items()
    if event_type in _TOLD or kind in webhooks.FOLLOWED
}


def publish(session: Session, event: DomainEvent, *, logged: Event | None = None) -> None:
    """Runs the event's subscribers in `session`'s transaction; one that fails is logged and
    undone (a savepoint), and never undoes the change the event is about. Without a chat
    outlet only the OUTLET_FREE subscribers run. `logged` is the event's row in the log
    (notices.outlets.logged_of: a webhook delivery names it)."""
    outlets = outlets_of(session)
    subscribers = SUBSCRIBERS.get(type(event), ())
    free = [s for s in OUTLET_FREE if s in subscribers]
    if not (free if outlets is None else subscribers):
        return
    session.flush()  # the use case's own rows (and the event's id) first
    session.info[LOGGED_IN_SESSION] = logged
    try:
        if outlets is None:
            at = logged.at if logged is not None else datetime.now(UTC)
            for outlet_free in free:
                with _guarded(session, event):
                    outlet_free(session, event, None, at)
        else:
            for subscriber in subscribers:
                with _guarded(session, event):
                    subscriber(session, event, outlets, outlets.now())
    finally:
        session.info.pop(LOGGED_IN_SESSION, None)
    wake_after_commit(session)


@contextmanager
def _guarded(session: Session, event: DomainEvent) -> Iterator[None]:
    """One subscriber's work in a savepoint: a notice must never undo the change it is
    about."""
    try:
        with session.begin_nested():
            yield
    except Exception:
        log.exception("could not queue notices for event %s", event.kind)
