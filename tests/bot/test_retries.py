"""When Slack says 429: every Web API call the bot makes is tried again at or after
Retry-After and gets through exactly once; a long Retry-After puts the outbox's message at
that time; what Slack refuses twice is still said to the person, another way."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.choices import Role
from notices.request_cards import ACCEPT_ACTION
from services import referrals
from storage.db import unit_of_work
from storage.models import ChatOutbox
from tests.bot.conftest import NOW, OSBY_CHANNEL, date_value, open_request
from tests.support.clock import moment
from transports.outbox import enqueue
from transports.slack.blocks import say
from transports.slack.sender import Pacer
from transports.slack.text import to_plain

RETRY_AFTER = 1


def rate_limited_then_delivered(chat, method: str) -> None:
    """The first call of `method` got 429; the next, at or after Retry-After, got through;
    nothing more."""
    calls = [c for c in chat.slack.calls if c.method == method]
    assert [c.status for c in calls] == [429, 200], [c.status for c in calls]
    assert calls[1].at - calls[0].at >= RETRY_AFTER
    assert len(chat.slack.delivered(method)) == 1


def _card(chat):
    chat.slack.rate_limit_next("chat.postMessage", RETRY_AFTER)
    open_request(chat)


def _card_update(chat):
    scene = open_request(chat)
    chat.slack.rate_limit_next("chat.update", RETRY_AFTER)
    chat.world.do(
        referrals.accept_request,
        actor=scene.osby,
        request_id=scene.request_id,
        meeting_on=NOW.date() + timedelta(days=8),
        now=NOW,
    )
    chat.drain()


def _modal(chat):
    scene = open_request(chat)
    chat.slack.rate_limit_next("views.open", RETRY_AFTER)
    chat.click("U0OSBY", ACCEPT_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.drain()


def _refusal(chat):
    scene = open_request(chat)
    chat.slack.rate_limit_next("chat.postEphemeral", RETRY_AFTER)
    chat.click("U0KRIS", ACCEPT_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.drain()


def _direct_answer(chat):
    chat.slack.rate_limit_next("chat.postMessage", RETRY_AFTER)
    dm = {"type": "message", "channel_type": "im", "channel": "D0X", "user": "U0X", "text": "xyz"}
    chat.event(dm, "Ev-dm-1")
    chat.drain()


def _home(chat):
    chat.slack.rate_limit_next("views.publish", RETRY_AFTER)
    chat.event({"type": "app_home_opened", "user": "U0NOBODY", "tab": "home"}, "Ev-home-1")
    chat.drain()


def _modal_after_a_slow_save(chat):
    scene = open_request(chat)
    chat.click("U0OSBY", ACCEPT_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.drain()
    view = chat.slack.sent("views.open")[-1]["view"]
    chat.runtime.ack_budget = 0  # the database is slow: "saving", then views.update
    chat.slack.rate_limit_next("views.update", RETRY_AFTER)
    chat.submit("U0OSBY", view, date_value("2026-12-01"))
    chat.drain()


def _uncertain(chat, channel: str, history_method: str):
    """A message whose sender died after Slack had it: found in the history, not reposted."""
    chat.runtime.sender.post(channel, "Hej", say("Hej").blocks, "k-uncertain")
    with unit_of_work(chat.world.sessions) as session:  # claimed by a process on another host
        row = enqueue(session, key="k-uncertain", channel=channel, reply=say("Hej"), now=NOW)
        row.state, row.claimed_at, row.claimed_by = "sending", NOW, "elsewhere:1"
    chat.drain()  # the commit's own delivery found it claimed, and left it
    chat.slack.rate_limit_next(history_method, RETRY_AFTER)
    chat.runtime.clock.moment = NOW + timedelta(minutes=10)
    assert chat.runtime.sweep() == {"sent": 1}
    assert len(chat.slack.delivered("chat.postMessage")) == 1  # the first post only


def _history(chat):
    _uncertain(chat, OSBY_CHANNEL, "conversations.history")


def _dm_channel(chat):
    _uncertain(chat, "U0INV", "conversations.open")


def _auth_test(chat):
    chat.slack.rate_limit_next("auth.test", RETRY_AFTER)
    chat.command("U0NOBODY", "hjälp")
    assert chat.runtime.identity.verified.wait(10)
    assert chat.runtime.identity.bot_id == "B0BOT"


SCENES = {
    "chat.postMessage": _card,
    "chat.update": _card_update,
    "views.open": _modal,
    "chat.postEphemeral": _refusal,
    "views.publish": _home,
    "views.update": _modal_after_a_slow_save,
    "conversations.history": _history,
    "conversations.open": _dm_channel,
    "auth.test": _auth_test,
}


@pytest.mark.parametrize("method", list(SCENES))
def test_a_call_slack_rate_limits_once_gets_through_once_after_retry_after(chat, method):
    SCENES[method](chat)
    rate_limited_then_delivered(chat, method)


def test_a_direct_message_answer_rate_limited_once_gets_through_once(chat):
    _direct_answer(chat)
    rate_limited_then_delivered(chat, "chat.postMessage")
    [answer] = chat.slack.delivered("chat.postMessage")
    assert answer.body["channel"] == "D0X"


def test_the_outbox_waits_as_long_as_slack_asks(chat):
    """Retry-After longer than a sender may wait: the message is due again exactly then."""
    chat.slack.rate_limit_next("chat.postMessage", 30)
    open_request(chat)
    [row] = chat.world.read(lambda s: list(s.scalars(select(ChatOutbox))))
    assert (row.state, row.attempts, row.last_error) == ("pending", 0, "ratelimited")
    assert row.next_attempt_at == NOW + timedelta(seconds=30)
    chat.runtime.clock.moment = NOW + timedelta(seconds=29)
    assert chat.runtime.sweep() == {}
    chat.runtime.clock.moment = NOW + timedelta(seconds=30)
    assert chat.runtime.sweep() == {"sent": 1}
    assert [c.status for c in chat.slack.calls if c.method == "chat.postMessage"] == [429, 200]


def test_a_modal_slack_will_not_open_is_explained_privately(chat):
    scene = open_request(chat)
    chat.slack.rate_limit_next("views.open", RETRY_AFTER, times=2)
    chat.click("U0OSBY", ACCEPT_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.drain()
    assert chat.slack.delivered("views.open") == []
    [told] = chat.slack.sent("response_url")
    assert told["response_type"] == "ephemeral" and told["replace_original"] is False
    assert to_plain(told["blocks"]) == (
        "Slack kunde inte öppna formuläret just nu. Klicka på knappen igen om en stund, eller "
        f"svara på webbplatsen (https://mm.example/anmalningar/{scene.code})."
    )


def test_a_refusal_slack_will_not_show_goes_through_the_response_url(chat):
    scene = open_request(chat)
    chat.slack.rate_limit_next("chat.postEphemeral", RETRY_AFTER, times=2)
    chat.click("U0KRIS", ACCEPT_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.drain()
    [told] = chat.slack.sent("response_url")
    assert to_plain(told["blocks"]) == (
        "Bara kontaktpersonerna i den tillfrågade kommunen kan göra detta."
    )


def test_a_direct_message_slack_refuses_twice_arrives_later_from_the_outbox(chat):
    chat.slack.rate_limit_next("chat.postMessage", RETRY_AFTER, times=2)
    dm = {"type": "message", "channel_type": "im", "channel": "D0X", "user": "U0X", "text": "xyz"}
    chat.event(dm, "Ev-dm-2")
    chat.drain()
    [late] = chat.slack.delivered("chat.postMessage")
    assert late.body["channel"] == "U0X"  # a direct message, through the outbox
    assert to_plain(late.body["blocks"]).startswith(
        "Slack kunde inte visa dig det här svaret när du frågade 23 nov. 2026 10:00, så här "
        "kommer det.\nJag känner inte till kommandot `xyz`."
    )
    [row] = chat.world.read(lambda s: list(s.scalars(select(ChatOutbox))))
    assert (row.key, row.state) == ("late:event:Ev-dm-2", "sent")


def test_a_slow_answer_slack_refuses_through_the_response_url_arrives_as_a_direct_message(chat):
    coordinator = chat.world.user(Role.COORDINATOR)
    chat.link(coordinator, "U0COORD")
    chat.runtime.ack_budget = 0  # answered after the acknowledgement
    chat.slack.http_error_next("response_url", 404)
    assert chat.reply("U0COORD", "platser")["text"] == "Ett ögonblick, jag tar fram det …"
    chat.drain()
    [late] = chat.slack.delivered("chat.postMessage")
    assert late.body["channel"] == "U0COORD"
    assert "Totalt: 31 lediga platser." in to_plain(late.body["blocks"])


def test_the_pacer_keeps_a_second_per_channel_and_a_fifth_overall():
    now = [0.0]
    pacer = Pacer(clock=lambda: now[0], sleep=lambda seconds: now.__setitem__(0, now[0] + seconds))
    channels = [f"C{n:03d}" for n in range(290)]
    slots = [(channel, pacer.wait_turn(channel)) for channel in channels + channels[:3]]
    times = [at for _channel, at in slots]
    assert all(b - a >= 0.2 - 1e-9 for a, b in itertools.pairwise(times))
    for channel in channels[:3]:
        mine = [at for c, at in slots if c == channel]
        assert mine[1] - mine[0] >= 1.0
    assert times[-1] < 62  # 293 posts in about a minute


def test_posts_to_one_channel_are_a_second_apart(chat):
    with unit_of_work(chat.world.sessions) as session:
        for n in range(3):
            enqueue(session, key=f"k{n}", channel=OSBY_CHANNEL, reply=say(f"Hej {n}"), now=NOW)
    started = time.monotonic()
    chat.drain()
    assert chat.runtime.sweep() == {}  # all sent already
    posts = chat.slack.delivered("chat.postMessage")
    assert len(posts) == 3
    assert all(b.at - a.at >= 0.95 for a, b in itertools.pairwise(posts))
    assert time.monotonic() - started >= 1.9


def test_welcome_dm_and_history_use_the_dm_channel(chat):
    """A direct message is found again in the IM channel Slack opened for it."""
    sender = chat.runtime.sender
    channel, ts = sender.post("U0INV", "Hej", say("Hej").blocks, "k-dm")
    assert channel == "D0INV"
    assert sender.find("U0INV", "k-dm", moment(NOW.date(), 0)) == ("D0INV", ts)
    assert sender.find("U0INV", "k-other", moment(NOW.date(), 0)) is None
