"""The typed events and what follows from them: one event type per kind, kept in the log
and read back unchanged; one registry of subscribers (notices.bus.SUBSCRIBERS) that lists
what each event notifies, and events that carry only codes, municipalities, dates and
statuses to them. (tests/bot/test_privacy.py scans what the subscribers queue.)"""

from __future__ import annotations

import dataclasses
import inspect
import types
from datetime import UTC, date, datetime
from typing import Any, get_type_hints

import pytest

from domain.choices import Role
from domain.events import DomainEvent, EventKind
from domain.typed_events import (
    BY_KIND,
    ReferralCreated,
    ReferralSubmitted,
    ReferralWithdrawn,
    RequestAccepted,
    RequestDeclined,
    RequestSent,
    RequisitionAttested,
    RequisitionPaid,
    RequisitionReturned,
    RequisitionSubmitted,
    event_of,
)
from domain.webhooks import WEBHOOK_EVENTS
from notices import home, requests, requisitions, webhooks
from notices.bus import OUTLET_FREE, SUBSCRIBERS
from services import history

# What must follow from these events, today: the request card, its answer, the
# investigator's message (each in Slack, Matrix and e-mail, as configured).
MUST_NOTIFY = {
    RequestSent: {requests.card_to_municipality},
    RequestAccepted: {requests.answer_on_card, requests.answer_to_investigator},
    RequestDeclined: {requests.answer_on_card, requests.answer_to_investigator},
    ReferralWithdrawn: {requests.answer_on_card},
    # The next person in the requisition loop (issue 23).
    RequisitionSubmitted: {requisitions.submitted_to_coordinators},
    RequisitionReturned: {requisitions.returned_to_municipality},
    RequisitionAttested: {requisitions.attested_to_association},
    RequisitionPaid: {requisitions.paid_to_municipality},
}
# Text fields an event may carry: codes, choices, states and field names, never free text.
CODE_FIELDS = {
    "code",
    "reason",
    "outcome",
    "state",
    "previous_state",
    "role",
    "method",
    "document",
    "meeting_kind",
    "program",
    "field",
    "fields",
    "label",  # a cost outcome's account label, the association's own
    "channel",  # a Slack channel id
    "room",  # a Matrix room id
    "previous",  # (chat channel set) the channel or room before
    "also",  # (date corrected) date names, with the dates before and after
}


def _sample(hint: Any, name: str) -> Any:
    """A value of the field's type that is not its default."""
    if isinstance(hint, types.UnionType):
        hint = next(a for a in hint.__args__ if a is not type(None))
    if hint is bool:
        return True
    if hint is int:
        return 7
    if hint is datetime:
        return datetime(2026, 3, 4, 5, 6, tzinfo=UTC)
    if hint is date:
        return date(2026, 3, 4)
    if hint is str:
        return f"{name}-x"
    if getattr(hint, "__origin__", None) is tuple:
        return ("a", "b")
    if getattr(hint, "__origin__", None) is dict:
        return {"planned_end_on": ["2026-01-01", "2026-02-01"]}
    raise AssertionError(f"no sample for {hint}")


def _example(cls: type[DomainEvent]) -> DomainEvent:
    hints = get_type_hints(cls)
    values = {f.name: _sample(hints[f.name], f.name) for f in dataclasses.fields(cls)}
    return cls(**values)


def test_every_kind_of_event_has_one_typed_event():
    assert set(BY_KIND) == set(EventKind)
    assert all(cls.kind is kind for kind, cls in BY_KIND.items())


@pytest.mark.parametrize("kind", list(EventKind), ids=str)
def test_an_event_reads_back_from_the_log_as_it_was_recorded(kind):
    event = _example(BY_KIND[kind])
    if kind is EventKind.CHAT_CHANNEL_SET:  # the channel or the room, never both
        event = dataclasses.replace(event, room=None, in_matrix=False)
    read = event_of(
        kind,
        referral_id=event.referral_id,
        municipality_id=event.municipality_id,
        subject_user_id=event.subject_user_id,
        details=event.details(),
    )
    assert read == event


def test_the_log_keeps_the_details_it_always_kept():
    accepted = RequestAccepted(referral_id=1, request_id=3, meeting_on=date(2026, 5, 4))
    assert accepted.details() == {"request_id": 3, "meeting_on": "2026-05-04"}
    over = dataclasses.replace(accepted, over_capacity=True)
    assert over.details()["over_capacity"] is True
    assert ReferralWithdrawn(referral_id=1).details() == {"request_id": None}


def test_each_event_type_lists_its_subscribers_and_those_that_must_notify_do():
    listing = {
        cls.__name__: [f"{s.__module__}.{s.__name__}" for s in subscribers]
        for cls, subscribers in SUBSCRIBERS.items()
    }
    assert listing["RequestAccepted"] == [
        "notices.requests.answer_on_card",
        "notices.requests.answer_to_investigator",
        "notices.home.refresh_tabs",
        "notices.webhooks.to_receivers",
    ]
    for cls, needed in MUST_NOTIFY.items():
        assert needed <= set(SUBSCRIBERS.get(cls, ())), cls.__name__
    for kind, cls in BY_KIND.items():
        on_home = home.refresh_tabs in SUBSCRIBERS.get(cls, ())
        assert on_home is (kind not in home.NOT_ON_HOME), kind
        # The webhook receivers hear of exactly the kinds they may follow, on every site.
        to_webhooks = webhooks.to_receivers in SUBSCRIBERS.get(cls, ())
        assert to_webhooks is (kind in WEBHOOK_EVENTS), kind
    assert set(OUTLET_FREE) == {webhooks.to_receivers}


def test_every_subscriber_is_a_named_function_of_the_notices():
    for subscribers in SUBSCRIBERS.values():
        for subscriber in subscribers:
            assert inspect.isfunction(subscriber)
            assert subscriber.__module__.startswith("notices.")
            assert list(inspect.signature(subscriber).parameters) == [
                "session",
                "event",
                "outlets",
                "now",
            ]


def test_subscribers_get_only_codes_municipalities_dates_and_statuses():
    for cls in SUBSCRIBERS:
        hints = get_type_hints(cls)
        for item in dataclasses.fields(cls):
            hint = hints[item.name]
            allowed = {int, bool, date, datetime, int | None, date | None}
            text = item.name in CODE_FIELDS
            assert hint in allowed or text, f"{cls.__name__}.{item.name}: {hint}"


def test_what_a_use_case_recorded_reads_back_as_typed_events(world):
    investigator = world.user(Role.INVESTIGATOR)
    referral = world.file(investigator, "Osby", date(2026, 11, 20))
    request_id = world.open_request_id(referral.id)
    typed = world.read(lambda s: [e.typed for e in history.history_of(s, referral.id)])
    assert [type(e) for e in typed] == [ReferralCreated, ReferralSubmitted, RequestSent]
    assert typed[-1] == RequestSent(
        referral_id=referral.id,
        municipality_id=world.municipality("Osby"),
        request_id=request_id,
    )
