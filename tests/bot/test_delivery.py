"""Signatures, retries, the 3-second acknowledgement, and the outbox that never posts twice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, select

from domain.choices import BenefitType, Role
from domain.participants import ParticipantDetails
from notices import outbox as queueing
from notices.request_cards import ACCEPT_ACTION
from services import referrals, reports
from storage.db import unit_of_work
from storage.models import ChatOutbox, ChatRequestSeen, Event, Municipality
from tests.bot.conftest import NOW, OSBY_CHANNEL, SECRET, date_value, open_request
from tests.support.slack import sign
from tests.support.world import VALID_NUMBERS
from transports import outbox
from transports.slack.blocks import say


def count(chat, model) -> int:
    return chat.world.read(lambda s: s.scalar(select(func.count()).select_from(model)))


def osby_capacity(chat) -> int:
    return chat.world.read(
        lambda s: s.scalars(select(Municipality.capacity).where(Municipality.name == "Osby")).one()
    )


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(lambda body: {}, id="unsigned"),
        pytest.param(lambda body: sign("not-the-secret", body), id="wrong secret"),
        pytest.param(lambda body: sign(SECRET, body + "&text=9"), id="other body"),
        # Slack allows five minutes either way; ten is clearly outside even on a loaded machine
        # (301 s failed once: the request took over a second to reach the check).
        pytest.param(lambda body: sign(SECRET, body, int(time.time()) - 600), id="stale"),
        pytest.param(lambda body: sign(SECRET, body, int(time.time()) + 600), id="future"),
    ],
)
def test_a_request_without_a_valid_signature_gets_401_and_changes_nothing(chat, signature):
    contact = chat.world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    chat.link(contact, "U0OSBY")
    body = chat.command_body("U0OSBY", "kapacitet 9")
    before = count(chat, Event)
    response = chat.post(body, "application/x-www-form-urlencoded", signature=signature(body))
    chat.drain()
    assert response.status_code == 401
    assert osby_capacity(chat) == 5
    assert count(chat, Event) == before
    assert count(chat, ChatRequestSeen) == 0
    assert chat.slack.calls == []
    # The same body, signed properly, does the work: the refusal was the signature's doing.
    assert chat.post(body, "application/x-www-form-urlencoded").status_code == 200
    assert osby_capacity(chat) == 9


def test_a_badly_signed_button_click_opens_nothing(chat):
    scene = open_request(chat)
    calls = len(chat.slack.calls)
    payload_body = "payload=%7B%22type%22%3A%22block_actions%22%7D"
    response = chat.post(
        payload_body,
        "application/x-www-form-urlencoded",
        signature=sign("guess", payload_body),
    )
    assert response.status_code == 401
    chat.drain()
    assert len(chat.slack.calls) == calls
    assert chat.world.status(scene.referral_id).value == "requested"


def test_a_retried_command_is_run_once(chat):
    contact = chat.world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    chat.link(contact, "U0OSBY")
    body = chat.command_body("U0OSBY", "kapacitet 8 dela")
    first = chat.post(body, "application/x-www-form-urlencoded")
    again = chat.post(
        body,
        "application/x-www-form-urlencoded",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert first.get_json()["text"].startswith("Kapaciteten i Osby är nu 8.")
    assert again.status_code == 200 and again.data == b""
    kinds = chat.world.read(lambda s: list(s.scalars(select(Event.kind))))
    assert kinds.count("capacity_set") == 1


def test_a_retried_submission_answers_once(chat):
    scene = open_request(chat)
    chat.click("U0OSBY", ACCEPT_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.drain()
    view = chat.slack.sent("views.open")[-1]["view"]
    payload = {
        "type": "view_submission",
        "user": {"id": "U0OSBY"},
        "team": {"id": "T0MM"},
        "api_app_id": "A0MM",
        "trigger_id": "77.3.trigger",
        "view": {**view, "id": "V000077", "state": {"values": date_value("2026-12-01")}},
    }
    assert chat.interact(payload).data == b""
    retried = chat.interact(payload, headers={"X-Slack-Retry-Num": "1"})
    assert retried.status_code == 200 and retried.data == b""
    chat.drain()
    assert len(chat.slack.sent("chat.update")) == 1


def test_the_click_is_acknowledged_before_slack_is_called(chat):
    """Slack's views.open is held until the click has been acknowledged: the acknowledgement
    cannot have waited for it (no clock involved)."""
    scene = open_request(chat)
    gate = chat.slack.hold("views.open")
    response = chat.click("U0OSBY", ACCEPT_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    assert response.status_code == 200
    assert chat.slack.sent("views.open") == []
    gate.set()
    chat.drain()
    assert len(chat.slack.sent("views.open")) == 1


def test_the_answer_is_acknowledged_before_the_card_is_updated(chat):
    scene = open_request(chat)
    chat.click("U0OSBY", ACCEPT_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.drain()
    view = chat.slack.sent("views.open")[-1]["view"]
    gates = [chat.slack.hold("chat.update"), chat.slack.hold("chat.postMessage")]
    assert chat.submit("U0OSBY", view, date_value("2026-12-01")).data == b""
    assert chat.slack.sent("chat.update") == []
    for gate in gates:
        gate.set()
    chat.drain()
    assert len(chat.slack.sent("chat.update")) == 1


def test_a_slow_command_says_one_moment_and_answers_through_its_response_url(chat, monkeypatch):
    chat.runtime.ack_budget = 0.1
    user = chat.world.user(Role.COORDINATOR)
    chat.link(user, "U0COORD")
    real = reports.availability

    answered = threading.Event()

    def slow(session, **kwargs):  # the count waits until the first answer has gone out
        answered.wait(30)
        return real(session, **kwargs)

    monkeypatch.setattr(reports, "availability", slow)
    first = chat.reply("U0COORD", "platser")
    answered.set()
    assert first == {"response_type": "ephemeral", "text": "Ett ögonblick, jag tar fram det …"}
    chat.drain()
    [later] = chat.slack.sent("response_url")
    assert later["response_type"] == "ephemeral"
    assert "Totalt: 31 lediga platser." in str(later["blocks"])


def test_a_failed_post_is_retried_later_and_posted_once(chat):
    chat.slack.fail_next("chat.postMessage", "ratelimited")
    open_request(chat)
    [row] = chat.world.read(lambda s: list(s.scalars(select(ChatOutbox))))
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "ratelimited")
    assert chat.runtime.sweep() == {}  # not due yet: it waits 30 seconds
    chat.runtime.clock.moment = NOW + timedelta(seconds=31)
    assert chat.runtime.sweep() == {"sent": 1}
    assert chat.runtime.sweep() == {}
    posted = [b for b in chat.slack.sent("chat.postMessage") if b["channel"] == OSBY_CHANNEL]
    assert len(posted) == 2  # the refused attempt, and the one that got through
    [row] = chat.world.read(lambda s: list(s.scalars(select(ChatOutbox))))
    assert (row.state, row.posted_channel) == ("sent", OSBY_CHANNEL) and row.ts


def test_in_http_mode_slack_traffic_retries_what_is_due(chat):
    chat.slack.fail_next("chat.postMessage", "service_unavailable")
    open_request(chat)
    chat.runtime.clock.moment = NOW + timedelta(minutes=1)
    body = '{"type": "url_verification", "challenge": "c"}'
    assert chat.post(body, "application/json").status_code == 200
    chat.drain()
    [row] = chat.world.read(lambda s: list(s.scalars(select(ChatOutbox))))
    assert row.state == "sent" and row.attempts == 2


def test_nothing_is_posted_for_a_change_that_was_rolled_back(chat):
    investigator = chat.world.user(Role.INVESTIGATOR)
    chat.set_channel("Osby", OSBY_CHANNEL)
    with pytest.raises(RuntimeError), unit_of_work(chat.world.sessions) as session:
        referrals.file_referral(
            session,
            actor=investigator,
            participant=ParticipantDetails("Test Testsson", VALID_NUMBERS[1]),
            benefit_type=BenefitType.SICKNESS_BENEFIT,
            preferred_municipality_id=None,
            consent_given=True,
            consent_on=NOW.date(),
            municipality_id=chat.world.municipality("Osby"),
            now=NOW,
        )
        raise RuntimeError("the web request failed after the use case")
    chat.drain()
    assert count(chat, ChatOutbox) == 0
    assert chat.slack.sent("chat.postMessage") == []


class CountingSender:
    def __init__(self) -> None:
        self.posts: list[str] = []
        self.fail = 0
        self.in_slack: dict[str, tuple[str, str]] = {}  # what a history search finds
        self.history_readable = True
        self._lock = threading.Lock()

    def post(self, channel, text, blocks, key):
        time.sleep(0.05)  # long enough for the others to try at the same moment
        with self._lock:
            if self.fail:
                self.fail -= 1
                raise ConnectionError("Slack could not be reached")
            self.posts.append(channel)
            self.in_slack[key] = (channel, f"1795000000.{len(self.posts):06d}")
            return self.in_slack[key]

    def update(self, channel, ts, text, blocks):
        with self._lock:
            self.posts.append(f"update {channel} {ts}")

    def find(self, channel, key, since):
        if not self.history_readable:
            raise SlackApiError("no", {"ok": False, "error": "missing_scope"})
        return self.in_slack.get(key)


def queue(sessions, key="k1", channel="C0000TEST") -> int:
    with unit_of_work(sessions) as session:
        row = outbox.enqueue(session, key=key, channel=channel, reply=say("Hej"), now=NOW)
        return row.id


def test_the_outbox_posts_a_message_once_however_many_deliver_it(sessions):
    """Eight workers deliver the same row at once: one claims it and posts. Both databases."""
    message_id = queue(sessions)
    sender, start, results = CountingSender(), threading.Barrier(8), []

    def deliver():
        start.wait()
        results.append(outbox.deliver(sessions, sender, message_id, NOW))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sender.posts == ["C0000TEST"]
    assert sorted(results) == [""] * 7 + ["sent"]
    assert outbox.sweep(sessions, sender, lambda: NOW + timedelta(hours=2)) == {}
    assert sender.posts == ["C0000TEST"]


def test_a_key_is_queued_once(sessions):
    first = queue(sessions, key="same")
    with unit_of_work(sessions) as session:
        assert (
            outbox.enqueue(session, key="same", channel="C0000ELSE", reply=say("x"), now=NOW)
            is None
        )
    with unit_of_work(sessions) as session:
        assert [r.id for r in session.scalars(select(ChatOutbox))] == [first]


def test_failures_back_off_then_give_up(sessions):
    message_id = queue(sessions)
    sender = CountingSender()
    sender.fail = outbox.MAX_ATTEMPTS
    moment = NOW
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        state = outbox.deliver(sessions, sender, message_id, moment)
        assert state == ("failed" if attempt == outbox.MAX_ATTEMPTS else "pending")
        assert outbox.deliver(sessions, sender, message_id, moment) == ""  # not due yet
        moment += queueing.LONGEST_DELAY
    assert sender.posts == []
    with unit_of_work(sessions) as session:
        row = session.get(ChatOutbox, message_id)
        assert (row.state, row.attempts, row.last_error) == ("failed", 8, "ConnectionError")


def _died_while_sending(sessions, message_id) -> None:
    """As a process on another host leaves a row it was sending when it died."""
    with unit_of_work(sessions) as session:
        row = session.get(ChatOutbox, message_id)
        row.state, row.claimed_at, row.attempts = "sending", NOW, 1
        row.claimed_by = "another-host:4242"


@pytest.mark.parametrize("arrived", [True, False], ids=["it reached Slack", "it did not"])
def test_a_message_whose_sender_died_mid_send_is_delivered_exactly_once(sessions, arrived):
    message_id = queue(sessions, key="card")
    _died_while_sending(sessions, message_id)
    sender = CountingSender()
    if arrived:
        sender.in_slack["card"] = ("C0000TEST", "1795000000.000077")
    assert outbox.sweep(sessions, sender, lambda: NOW + queueing.LEASE / 2) == {}  # may be alive
    assert outbox.sweep(sessions, sender, lambda: NOW + queueing.LEASE * 2) == {"sent": 1}
    assert sender.posts == ([] if arrived else ["C0000TEST"])
    assert outbox.sweep(sessions, sender, lambda: NOW + queueing.LEASE * 3) == {}
    with unit_of_work(sessions) as session:
        row = session.get(ChatOutbox, message_id)
        assert (row.state, row.uncertain) == ("sent", False)
        assert row.ts == ("1795000000.000077" if arrived else "1795000000.000001")


def test_a_claim_of_a_process_that_died_on_this_host_is_resolved_at_once(sessions):
    import os
    import socket
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    message_id = queue(sessions)
    _died_while_sending(sessions, message_id)
    with unit_of_work(sessions) as session:
        session.get(
            ChatOutbox, message_id
        ).claimed_by = f"{socket.gethostname()}:{gone.stdout.strip()}"
    other = queue(sessions, key="k2")
    _died_while_sending(sessions, other)
    with unit_of_work(sessions) as session:  # this very process: its own thread is sending
        session.get(ChatOutbox, other).claimed_by = f"{socket.gethostname()}:{os.getpid()}"
    sender = CountingSender()
    assert outbox.sweep(sessions, sender, lambda: NOW) == {"sent": 1}
    assert sender.posts == ["C0000TEST"]
    with unit_of_work(sessions) as session:
        assert session.get(ChatOutbox, other).state == "sending"


def test_when_the_history_cannot_be_read_the_message_waits_for_the_administrator(sessions):
    message_id = queue(sessions)
    _died_while_sending(sessions, message_id)
    sender = CountingSender()
    sender.history_readable = False
    assert outbox.sweep(sessions, sender, lambda: NOW + queueing.LEASE * 2) == {"unknown": 1}
    assert sender.posts == []
    with unit_of_work(sessions) as session:
        row = session.get(ChatOutbox, message_id)
        assert (row.state, row.last_error) == ("unknown", "history_unavailable")


def test_an_update_waits_for_its_original(sessions):
    original = queue(sessions, key="card")
    with unit_of_work(sessions) as session:
        update = outbox.enqueue_update(
            session, key="card-answered", of_key="card", reply=say("Svar"), now=NOW
        ).id
        assert (
            outbox.enqueue_update(session, key="x", of_key="none", reply=say("-"), now=NOW) is None
        )
    sender = CountingSender()
    assert outbox.deliver(sessions, sender, update, NOW) == outbox.DEFERRED
    assert outbox.deliver(sessions, sender, original, NOW) == "sent"
    assert outbox.deliver(sessions, sender, update, NOW) == "sent"
    assert sender.posts == ["C0000TEST", "update C0000TEST 1795000000.000001"]
