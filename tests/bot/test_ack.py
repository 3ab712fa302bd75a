"""Acknowledgement first: Slack gets its answer within 3 seconds whatever the database or
Slack itself does — another process holding the database's write lock for 10 seconds, Slack
answering auth.test after 10 seconds, or Slack's Web API not reachable at all. On SQLite and
PostgreSQL. (Timings are generous: Slack's limit is 3 seconds; the work takes ~10.)"""

from __future__ import annotations

import socket
import time

from sqlalchemy import select

from bot.runtime import ACK_BUDGET
from domain.lifecycle import ReferralStatus
from notices.request_cards import ACCEPT_ACTION
from storage.models import Referral
from tests.bot.conftest import OSBY_CHANNEL, date_value, make_chat, open_request
from tests.support.locks import write_lock_held
from transports.slack.text import to_plain

SLACKS_LIMIT = 3.0
ONE_MOMENT = {"response_type": "ephemeral", "text": "Ett ögonblick, jag tar fram det …"}


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_acks_within_3_seconds_under_a_10_second_lock_and_a_slow_auth_test(
    chat_on_both, database_url
):
    chat = chat_on_both
    chat.runtime.ack_budget = ACK_BUDGET  # the site's, which the chat fixture widens
    scene = open_request(chat)
    chat.slack.slow_down("auth.test", 10)  # Slack is slow; this process has not asked it yet
    chat.click("U0OSBY", ACCEPT_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.drain()
    view = chat.slack.sent("views.open")[-1]["view"]
    assert chat.runtime.identity.verified.is_set() is False  # auth.test is still waiting

    with write_lock_held(database_url, 10):
        # A command that writes waits for the lock (one that only reads does not on SQLite:
        # tests/bot/test_served_work.py).
        command, command_took = timed(lambda: chat.command("U0OSBY", "kapacitet 6"))
        click, click_took = timed(
            lambda: chat.click("U0OSBY", ACCEPT_ACTION, str(scene.request_id), OSBY_CHANNEL)
        )
        submit, submit_took = timed(lambda: chat.submit("U0OSBY", view, date_value("2026-12-01")))

    assert command.status_code == click.status_code == submit.status_code == 200
    assert max(command_took, click_took, submit_took) < SLACKS_LIMIT
    assert command.get_json() == ONE_MOMENT
    assert submit.get_json()["response_action"] == "update"
    assert to_plain(submit.get_json()["view"]["blocks"]) == (
        "Sparar ditt svar … Fönstret visar resultatet om en stund."
    )

    assert chat.runtime.drain(40)
    [answer] = [c for c in chat.slack.sent("response_url") if "blocks" in c]
    assert to_plain(answer["blocks"]).startswith("Kapaciteten i Osby är nu 6.")
    [saved] = chat.slack.sent("views.update")
    assert to_plain(saved["view"]["blocks"]) == "Ditt svar är sparat."
    status = chat.world.read(
        lambda s: s.scalars(select(Referral.status).where(Referral.id == scene.referral_id)).one()
    )
    assert status is ReferralStatus.ACCEPTED
    # The click made during the lock was answered after it: with the modal, or — when the
    # submission was saved first — with a private note that the request is answered.
    opened, told = chat.slack.delivered("views.open"), chat.slack.delivered("chat.postEphemeral")
    assert len(opened) + len(told) == 2


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_with_slacks_web_api_unreachable_commands_are_still_answered(sqlite_sessions):
    chat_gen = make_chat(sqlite_sessions, SLACK_API_URL=f"http://127.0.0.1:{_closed_port()}/api/")
    chat = next(chat_gen)
    chat.runtime.ack_budget = ACK_BUDGET
    try:
        response, took = timed(lambda: chat.command("U0NOBODY", "hjälp"))
        assert response.status_code == 200 and took < SLACKS_LIMIT
        text = to_plain(response.get_json()["blocks"])
        assert text.startswith("Jag vet inte vem du är än.")
        chat.runtime.identity.verified.wait(15)
        assert "could not be reached" in (chat.runtime.identity.problem or "")
        again, took = timed(lambda: chat.command("U0NOBODY", "hjälp"))
        assert again.status_code == 200 and took < SLACKS_LIMIT
    finally:
        next(chat_gen, None)
