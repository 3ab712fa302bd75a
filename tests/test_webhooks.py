"""Webhook deliveries through the outbox to a real receiver on loopback, on both databases:
signed per Standard Webhooks (the receiver verifies with the shared secret), tried again
with backoff after a failure, taken in once however often it was tried, and given up as
failed (for /leveranser) when the receiver never takes it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.delivery import OutboxState, Transport
from domain.events import EventKind
from domain.webhooks import payload
from notices import outbox as queueing
from services import webhooks
from tests.support.clock import moment
from tests.support.webhook_receiver import loopback_allowed, webhook_receiver  # noqa: F401
from transports import outbox
from transports.webhook_sender import WebhookSender

NOW = moment(date(2026, 11, 23), 11)
pytestmark = pytest.mark.usefixtures("loopback_allowed")


def register(world, url, events=("accepted",)):
    return world.do(
        webhooks.add_subscription,
        actor=None,
        name="Osby ärendesystem",
        url=url,
        events=list(events),
        now=NOW,
    )


def queue(world, subscription_id: int) -> int:
    body = payload(
        kind=EventKind.ACCEPTED,
        event_id=7,
        at=NOW,
        reference_code="MM-2026-0001",
        status="accepted",
        municipality="Osby",
        municipality_code="1273",
        on=date(2026, 11, 30),
    )
    row = world.do(
        queueing.enqueue_payload,
        key=f"webhook:{subscription_id}:event:7",
        transport=Transport.WEBHOOK,
        channel=str(subscription_id),
        text="",
        payload=body,
        now=NOW,
    )
    return row.id


def senders(world):
    return outbox.Senders({Transport.WEBHOOK: WebhookSender(world.sessions)})


def test_a_receiver_answering_500_twice_gets_it_on_the_third_try_once(world):
    with webhook_receiver() as receiver:
        registered = register(world, receiver.url)
        receiver.secret, receiver.answers = registered.secret, [500, 500]
        message = queue(world, registered.row.id)
        states = [
            outbox.deliver(world.sessions, senders(world), message, NOW + timedelta(minutes=m))
            for m in (0, 1, 5, 30)
        ]
    assert states == [OutboxState.PENDING, OutboxState.PENDING, OutboxState.SENT, ""]
    assert (receiver.tries, receiver.unsigned) == (3, 0)
    [(webhook_id, taken)] = receiver.received.items()
    assert webhook_id == f"webhook:{registered.row.id}:event:7"
    assert taken == {
        "type": "referral.accepted",
        "timestamp": NOW.isoformat(),
        "data": {
            "event_id": 7,
            "reference_code": "MM-2026-0001",
            "status": "accepted",
            "municipality": "Osby",
            "municipality_code": "1273",
            "date": "2026-11-30",
        },
    }


def test_a_wrong_secret_is_refused_by_the_receiver(world):
    with webhook_receiver() as receiver:
        registered = register(world, receiver.url)
        receiver.secret = "whsec_" + "QUJD" * 8  # not the subscriber's
        message = queue(world, registered.row.id)
        state = outbox.deliver(world.sessions, senders(world), message, NOW)
    assert state == OutboxState.PENDING
    assert (receiver.tries, receiver.unsigned, receiver.received) == (1, 1, {})


def test_a_receiver_that_never_takes_it_is_given_up_and_shown_as_failed(world):
    with webhook_receiver() as receiver:
        registered = register(world, receiver.url)
        receiver.secret, receiver.answers = registered.secret, [503] * 20
        message = queue(world, registered.row.id)
        at, state = NOW, None
        for _ in range(outbox.MAX_ATTEMPTS):
            state = outbox.deliver(world.sessions, senders(world), message, at)
            at += timedelta(hours=2)
    assert state == OutboxState.FAILED
    row = world.read(lambda s: queueing.find(s, f"webhook:{registered.row.id}:event:7"))
    assert (row.state, row.last_error) == (OutboxState.FAILED, "http_503")


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/x", "https://user:pw@example.org/x", "example.org", "https://"],
)
def test_a_receiver_needs_a_proper_address(world, url):
    from domain.errors import RuleViolation

    with pytest.raises(RuleViolation) as refused:
        register(world, url)
    assert refused.value.field == "url"


def test_a_receiver_in_an_internal_network_is_not_posted_to(world, monkeypatch):
    """Loopback, private and link-local addresses (the cloud's metadata service) are
    refused unless MM_WEBHOOK_NETWORKS allows the network: the receiver is never reached
    and the delivery waits on /leveranser for someone to act."""
    monkeypatch.delenv("MM_WEBHOOK_NETWORKS")
    with webhook_receiver() as receiver:
        registered = register(world, receiver.url.replace("127.0.0.1", "localhost"))
        receiver.secret = registered.secret
        message = queue(world, registered.row.id)
        state = outbox.deliver(world.sessions, senders(world), message, NOW)
        monkeypatch.setenv("MM_WEBHOOK_NETWORKS", "10.0.0.0/8, not-a-network")
        again = outbox.deliver(world.sessions, senders(world), message, NOW)
    assert (state, again) == (OutboxState.FAILED, "")
    assert receiver.tries == 0
    row = world.read(lambda s: queueing.find(s, f"webhook:{registered.row.id}:event:7"))
    assert (row.state, row.last_error) == (OutboxState.FAILED, "webhook_receiver_internal")


@pytest.mark.parametrize(
    ("address", "allowed", "expected"),
    [
        ("93.184.215.14", "", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", "", True),
        ("127.0.0.1", "", False),
        ("::1", "", False),
        ("::ffff:127.0.0.1", "", False),
        ("169.254.169.254", "", False),
        ("10.1.2.3", "", False),
        ("192.168.0.10", "", False),
        ("fe80::1", "", False),
        ("224.0.0.1", "", False),
        ("0.0.0.0", "", False),
        ("10.1.2.3", "10.0.0.0/8", True),
        ("10.1.2.3", "10.0.0.0/8x, 192.168.0.0/16", False),
        ("192.168.0.10", "10.0.0.0/8, 192.168.0.0/16", True),
    ],
)
def test_which_addresses_may_receive(address, allowed, expected):
    import ipaddress

    from domain.webhooks import internal_networks, may_receive

    assert may_receive(ipaddress.ip_address(address), internal_networks(allowed)) is expected


def test_a_process_that_dies_after_the_receiver_took_it_does_not_count_twice(world):
    """The receiver took the delivery, then the sending process died before it could record
    that: the row is released as uncertain, sent again under the same webhook-id, and the
    receiver, which counts by webhook-id, has it once."""
    from sqlalchemy import update

    from storage.models import ChatOutbox

    class DiesAfterSending(WebhookSender):
        def post(self, channel, text, content, key):
            super().post(channel, text, content, key)
            raise SystemExit("the process stops here")

    with webhook_receiver() as receiver:
        registered = register(world, receiver.url)
        receiver.secret = registered.secret
        message = queue(world, registered.row.id)
        dying = outbox.Senders({Transport.WEBHOOK: DiesAfterSending(world.sessions)})
        with pytest.raises(SystemExit):
            outbox.deliver(world.sessions, dying, message, NOW)
        # What the dead process left: the row in `sending`, claimed by a pid that is gone.
        world.do(
            lambda s: s.execute(
                update(ChatOutbox).where(ChatOutbox.id == message).values(claimed_by="gone:1")
            )
        )
        assert queueing.release_stale(world.sessions, NOW + queueing.LEASE * 2) == 1
        state = outbox.deliver(world.sessions, senders(world), message, NOW + queueing.LEASE * 2)
    assert state == OutboxState.SENT
    assert receiver.tries == 2
    assert list(receiver.received) == [f"webhook:{registered.row.id}:event:7"]


def test_the_background_deliverer_retries_until_the_receiver_takes_it(world):
    """As the web site runs it: delivered after the commit, and swept again while a retry
    waits (the clock moved on by the test in place of the backoff's minutes)."""
    import time

    from tests.support.clock import MovableClock
    from transports.webhook_sender import WebhookDeliverer

    clock = MovableClock(NOW)
    deliverer = WebhookDeliverer(world.sessions, clock, retry_sweep=0.05)

    def until(condition) -> None:
        deadline = time.monotonic() + 15
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert condition()

    with webhook_receiver() as receiver:
        registered = register(world, receiver.url)
        receiver.secret, receiver.answers = registered.secret, [500, 500]
        deliverer.deliver_soon([queue(world, registered.row.id)])
        until(lambda: receiver.tries == 1)
        clock.advance(timedelta(minutes=1))
        until(lambda: receiver.tries == 2)
        clock.advance(timedelta(minutes=5))
        until(lambda: len(receiver.received) == 1)
        until(lambda: not deliverer._running)  # nothing left to retry: the thread ends
    assert receiver.tries == 3
