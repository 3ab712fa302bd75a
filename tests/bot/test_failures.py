"""Nothing silent: a message Slack will not take (the bot is not in the channel) is shown to
the administrator, who sends it again on the web, and to the coordinator in the digest;
`mm digest send` says what was sent, what waits and what failed, and fails when something
did; a run that stopped half-way — even killed while Slack had the message — is finished by
the next one, delivering each digest exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import select

from digest.plan import enqueue_digests
from digest.settings import DigestSchedule
from domain.choices import Role
from storage.db import make_engine, session_factory, unit_of_work
from storage.models import ChatOutbox
from tests.bot.conftest import OSBY_CHANNEL, open_request
from tests.bot.test_digest import COORDINATOR_CHANNEL, MONDAY, SCHEDULE, send
from tests.bot.test_install import runner
from tests.support.clock import moment
from tests.web.conftest import Visitor
from transports.slack.text import to_plain

NOT_IN_CHANNEL = (
    "Boten är inte med i kanalen. Bjud in den i kanalen med /invite @Möjlighetsmodellen och "
    "försök sedan igen."
)
MM = str(Path(sys.executable).parent / "mm")


def rows(chat) -> list[ChatOutbox]:
    return chat.world.read(lambda s: list(s.scalars(select(ChatOutbox).order_by(ChatOutbox.id))))


def test_not_in_channel_goes_to_the_administrator_who_sends_it_again(chat):
    chat.slack.fail_next("chat.postMessage", "not_in_channel")
    scene = open_request(chat)
    [card] = rows(chat)
    assert (card.state, card.attempts, card.last_error) == ("failed", 1, "not_in_channel")

    admin = Visitor(chat.app, chat.world.user(Role.ADMIN))
    page = admin.get("/leveranser")
    assert page.status == 200 and page.h1 == "Meddelanden som inte kom fram"
    [row] = page.soup.select("tbody tr")
    cells = [" ".join(td.get_text(" ").split()) for td in row.select("td")]
    assert cells[1:6] == [
        "Förfrågningskort",
        "Kanalen för Osby (C0000OSBY)",
        "Inte levererat",
        NOT_IN_CHANNEL,
        "1",
    ]
    assert "Anna Andersson" not in page.response.get_data(as_text=True)
    for role in (Role.COORDINATOR, Role.MUNICIPALITY_CONTACT, Role.ASSOCIATION):
        other = chat.world.user(role, "Osby" if role is Role.MUNICIPALITY_CONTACT else None)
        assert Visitor(chat.app, other).get("/leveranser").status == 403
        assert Visitor(chat.app, other).post(f"/leveranser/{card.id}/skicka-igen").status == 403

    # The bot has been invited: the administrator sends the card again.
    done = admin.post(f"/leveranser/{card.id}/skicka-igen", follow_redirects=True)
    assert done.notices == ["Meddelandet skickas igen."]
    chat.drain()
    [posted] = chat.slack.delivered("chat.postMessage")
    assert f"Förfrågan till Osby: {scene.code}" in to_plain(posted.body["blocks"])
    assert "Alla meddelanden har kommit fram." in admin.get("/leveranser").text
    again = admin.post(f"/leveranser/{card.id}/skicka-igen", follow_redirects=True)
    assert again.notices == ["Det här meddelandet väntar inte på att skickas igen."]


def test_the_coordinators_digest_says_what_did_not_get_through(chat):
    chat.slack.fail_next("chat.postMessage", "not_in_channel")
    open_request(chat)
    send(chat, MONDAY, SCHEDULE)
    [digest] = [
        to_plain(c.body["blocks"])
        for c in chat.slack.delivered("chat.postMessage")
        if c.body["channel"] == COORDINATOR_CHANNEL
    ]
    assert ":warning: 1 chattmeddelande kunde inte levereras" in digest
    assert f"Osby (C0000OSBY): 1 meddelande. {NOT_IN_CHANNEL}" in digest
    assert "Administratören skickar dem igen på webbplatsen när orsaken är åtgärdad." in digest
    [osby] = [
        to_plain(c.body["blocks"])
        for c in chat.slack.delivered("chat.postMessage")
        if c.body["channel"] == OSBY_CHANNEL
    ]
    assert "kunde inte levereras" not in osby  # the municipality's digest is its own


def test_mm_digest_send_reports_each_digest_and_fails_when_one_did_not_arrive(chat):
    chat.set_channel("Bromölla", "C0000BROM")
    chat.set_channel("Osby", OSBY_CHANNEL)
    mm = runner(chat, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=chat.slack.api_url)
    chat.slack.fail_next("chat.postMessage", "not_in_channel", channel="C0000BROM")
    first = mm("digest", "send", ok=False)
    assert first.splitlines() == [
        "Sammanfattningar för 23 nov. 2026: skickade nu 1, skickade tidigare 0, väntar på nytt "
        "försök 0, inte levererade 1.",
        f"  – Bromölla (C0000BROM): inte levererad. {NOT_IN_CHANNEL}",
    ]
    second = mm("digest", "send", ok=False)
    assert second.splitlines()[0] == (
        "Sammanfattningar för 23 nov. 2026: skickade nu 0, skickade tidigare 1, väntar på nytt "
        "försök 0, inte levererade 1."
    )
    assert len(chat.slack.delivered("chat.postMessage")) == 1
    assert "Traceback" not in first + second


def test_mm_digest_send_says_when_slack_asks_to_wait(chat):
    chat.set_channel("Osby", OSBY_CHANNEL)
    chat.slack.rate_limit_next("chat.postMessage", 120)
    mm = runner(chat, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=chat.slack.api_url)
    assert mm("digest", "send", ok=False).splitlines() == [
        "Sammanfattningar för 23 nov. 2026: skickade nu 0, skickade tidigare 0, väntar på nytt "
        "försök 1, inte levererade 0.",
        "  – Osby (C0000OSBY): försöker igen från 23 nov. 2026 12:02. Slack bad boten att vänta "
        "(för många meddelanden på en gång).",
    ]


def test_mm_chat_flush_says_what_failed_and_fails(chat):
    chat.slack.fail_next("chat.postMessage", "service_unavailable")
    open_request(chat)  # the card waits for a new try
    unreachable = runner(chat, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL="http://127.0.0.1:1/api/")
    assert unreachable("chat", "flush", ok=False).splitlines() == [
        "Skickade chattmeddelanden: 0. Försöks igen senare: 1. Uppgivna: 0."
    ]
    chat.slack.fail_next("chat.postMessage", "not_in_channel")
    mm = runner(chat, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=chat.slack.api_url)
    assert mm("--date", "2026-11-24", "chat", "flush", ok=False).splitlines() == [
        "Skickade chattmeddelanden: 0. Försöks igen senare: 0. Uppgivna: 1.",
        "Administratören ser varför på webbplatsen, under Meddelanden som inte kom fram.",
    ]


def _queued_by_a_run_that_stopped(chat, day: date) -> None:
    """A digest queued by a process that died before sending it (its own connections, so
    nothing of this test process starts the delivery)."""
    sessions = session_factory(make_engine(chat.world.sessions.kw["bind"].url))
    with unit_of_work(sessions) as session:
        enqueue_digests(
            session,
            today=day,
            now=moment(day, 7),
            settings=chat.runtime.settings,
            schedule=DigestSchedule(),
        )
    sessions.kw["bind"].dispose()


def test_a_rerun_sends_what_a_stopped_run_had_queued(chat):
    chat.set_channel("Osby", OSBY_CHANNEL)
    _queued_by_a_run_that_stopped(chat, MONDAY)
    assert [r.state for r in rows(chat)] == ["pending"]
    mm = runner(chat, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=chat.slack.api_url)
    assert mm("digest", "send").startswith(
        "Sammanfattningar för 23 nov. 2026: skickade nu 1, skickade tidigare 0"
    )
    assert len(chat.slack.messages_in(OSBY_CHANNEL)) == 1


def _mm(chat, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": chat.world.sessions.kw["bind"].url.render_as_string(hide_password=False),
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": chat.slack.api_url,
        "SITE_URL": "https://mm.example",
        "SLACK_DIGEST_CHANNEL": "",
    }
    return subprocess.Popen(
        [MM, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_a_process_killed_while_slack_had_its_digest_is_finished_exactly_once(chat):
    chat.set_channel("Osby", OSBY_CHANNEL)
    chat.slack.clock = lambda: moment(MONDAY, 12).timestamp()  # Slack's clock, at mm's noon
    chat.slack.stall_after_storing("chat.postMessage", 60)  # Slack has it; the answer hangs
    first = _mm(chat, "digest", "send", "--date", "2026-11-23")
    deadline = time.monotonic() + 60
    while not chat.slack.messages_in(OSBY_CHANNEL) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(chat.slack.messages_in(OSBY_CHANNEL)) == 1
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    [row] = rows(chat)
    assert (row.state, row.claimed_by.endswith(f":{first.pid}")) == ("sending", True)

    chat.slack.stall_after_storing("chat.postMessage", 0)
    rerun = _mm(chat, "digest", "send", "--date", "2026-11-23")
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert "Traceback" not in out + err
    assert out.startswith("Sammanfattningar för 23 nov. 2026: skickade nu 1,")
    assert len(chat.slack.messages_in(OSBY_CHANNEL)) == 1  # found in the history, not reposted
    assert [c.method for c in chat.slack.calls if c.method.startswith("conversations")] == [
        "conversations.history"
    ]
    [row] = rows(chat)
    assert (row.state, row.uncertain) == ("sent", False)
    assert row.ts == chat.slack.messages_in(OSBY_CHANNEL)[0]["ts"]
