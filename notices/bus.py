"""What follows from each event: one registry, SUBSCRIBERS, from event type to the
subscribers that turn it into notices (in the shape of cosmicpython's message bus).

services.history.record keeps an event and calls `publish`, in the use case's transaction:
each subscriber queues its messages in the outbox (notices.outlets) there, so a change that
rolls back sends nothing and one that commits loses nothing. Once the unit of work has
committed, it runs the outlets' `after_commit` (notices.outlets.wake_after_commit,
storage.db.after_commit), which starts delivering what was queued.

To add a subscriber: a function `(session, event, outlets, now) -> None` (`now`: the
outlets' clock, when the messages are queued) that writes only codes, municipalities, dates
and statuses, and its name in the event type's tuple below.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
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
from notices.outlets import Outlets, outlets_of, wake_after_commit
from storage.models import Event

log = logging.getLogger("mm.notices")

# A subscriber of one event type: the event it gets is of that type.
Subscriber = Callable[[Session, Any, Outlets, datetime], None]

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

SUBSCRIBERS: dict[type[DomainEvent], tuple[Subscriber, ...]] = {
    # Everything else that shows on a Home tab refreshes it.
    **{
        event_type: (home.refresh_tabs,)
        for kind, event_type in BY_KIND.items()
        if kind not in home.NOT_ON_HOME
    },
    **_NOTIFYING,
}


def publish(session: Session, event: DomainEvent, *, logged: Event | None = None) -> None:
    """Runs the event's subscribers in `session`'s transaction; one that fails is logged and
    undone (a savepoint), and never undoes the change the event is about. The webhook
    receivers (notices.webhooks) are told whether or not there is a chat outlet."""
    if logged is not None:
        _to_webhooks(session, event, logged)
    outlets = outlets_of(session)
    subscribers = SUBSCRIBERS.get(type(event), ())
    if outlets is None or not subscribers:
        return
    session.flush()  # the use case's own rows first: their errors are the use case's
    for subscriber in subscribers:
        try:
            with session.begin_nested():
                subscriber(session, event, outlets, outlets.now())
        except Exception:  # a notice must never undo the change it is about
            log.exception("could not queue notices for event %s", event.kind)
    wake_after_commit(session)


def _to_webhooks(session: Session, event: DomainEvent, logged: Event) -> None:
    if event.kind not in webhooks.FOLLOWED:
        return
    session.flush()  # the use case's own rows (and the event's id) first
    try:
        with session.begin_nested():
            webhooks.to_receivers(session, event, logged)
    except Exception:  # a webhook must never undo the change it is about
        log.exception("could not queue webhooks for event %s", event.kind)
