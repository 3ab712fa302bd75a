"""Accepting a referral on the web site tells a registered webhook receiver: one delivery,
signed with the shared secret, carrying codes, states, dates and the municipality only;
a receiver that does not follow acceptances gets nothing. The site has no chat configured:
webhooks do not depend on it."""

from __future__ import annotations

import time
from datetime import date

import pytest

from services import webhooks
from tests.support.clock import moment
from tests.support.webhook_receiver import loopback_allowed, webhook_receiver  # noqa: F401

WHEN_WHERE = {"meeting_time": "10:00", "place": "Kommunhuset, rum 3"}


pytestmark = pytest.mark.usefixtures("loopback_allowed")


def wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_accepting_on_the_web_delivers_one_signed_webhook(visit, people, sqlite_world):
    code = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20)).reference_code
    with webhook_receiver() as receiver, webhook_receiver() as uninterested:
        registered = sqlite_world.do(
            webhooks.add_subscription,
            actor=None,
            name="Osby ärendesystem",
            url=receiver.url,
            events=["accepted", "declined"],
            now=moment(date(2026, 11, 21)),
        )
        other = sqlite_world.do(
            webhooks.add_subscription,
            actor=None,
            name="Bara avslut",
            url=uninterested.url,
            events=["ended"],
            now=moment(date(2026, 11, 21)),
        )
        receiver.secret, uninterested.secret = registered.secret, other.secret
        osby = visit(people["osby"])
        detail = osby.get(f"/anmalningar/{code}")
        accept = {
            "request_id": detail.value("request_id"),
            "meeting_on": "2026-11-30",
            **WHEN_WHERE,
        }
        assert osby.post(f"/anmalningar/{code}/acceptera", accept).status == 302
        assert wait_for(lambda: len(receiver.received) == 1)
        time.sleep(0.5)  # anything more would have come by now
    assert (receiver.tries, receiver.unsigned, uninterested.tries) == (1, 0, 0)
    [(webhook_id, taken)] = receiver.received.items()
    assert webhook_id.startswith(f"webhook:{registered.row.id}:event:")
    assert taken["type"] == "referral.accepted"
    assert taken["data"] == {
        "event_id": int(webhook_id.rsplit(":", 1)[1]),
        "reference_code": code,
        "status": "accepted",
        "municipality": "Osby",
        "municipality_code": "1273",
        "date": "2026-11-30",
    }
