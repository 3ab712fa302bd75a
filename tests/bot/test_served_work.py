"""What one served chat command costs the database, end to end through /slack/events: the
statements of the whole request (the site's hooks, who asks, the answer, and the once-only
record of the request), counted across the request's threads.

A command that only reads is answered from one read-only transaction and writes nothing:
no once-only row, no write lock, no disk sync (bot.dedupe says why a repeat of it is
harmless). A command that writes still records its key once."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import commands
from storage.models import ChatRequestSeen
from tests.bot.conftest import Chat, open_request
from tests.support.locks import write_lock_held
from tests.support.work import work_done
from transports.slack.text import to_plain

WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")


def _served(chat: Chat, user: str, text: str) -> tuple[Any, list[str]]:
    engine = chat.runtime.sessions.kw["bind"]
    chat.drain()
    with work_done(engine) as (statements, _steps):
        response = chat.command(user, text)
        chat.drain()
    return response, [s for s in statements if not s.startswith("PRAGMA")]


def _seen(chat: Chat) -> int:
    return chat.world.read(lambda s: s.scalar(select(func.count()).select_from(ChatRequestSeen)))


# Statements per served command, the whole request: BEGIN, who asks, the answer's reads.
# Before (a once-only row for every command): 2 more each, BEGIN IMMEDIATE and its INSERT.
# `platser` reads the plans' revisions (storage.place_summary) and, for the municipalities
# whose estimate the process does not keep yet, their places in use.
@pytest.mark.parametrize(
    ("words", "limit"),
    [("status {code}", 3), ("budget", 5), ("platser", 7), ("hjälp", 2), ("anmälan", 2)],
)
def test_a_served_command_that_only_reads_writes_nothing(chat, words, limit):
    scene = open_request(chat)
    chat.command("U0COORD", "hjälp")  # the first Slack request starts the outbox's sweep
    text = words.format(code=scene.code)
    before = _seen(chat)
    response, statements = _served(chat, "U0COORD", text)
    assert response.status_code == 200 and response.get_json()["blocks"]
    assert [s for s in statements if s.startswith(WRITES)] == []
    assert statements.count("BEGIN") == 1  # one read-only transaction
    assert len(statements) <= limit, statements
    assert _seen(chat) == before


def test_a_served_command_that_writes_records_its_key_once(chat):
    open_request(chat)
    chat.command("U0OSBY", "hjälp")
    before = _seen(chat)
    response, statements = _served(chat, "U0OSBY", "kapacitet 4")
    assert response.get_json()["text"].startswith("Kapaciteten i Osby är nu 4.")
    assert _seen(chat) == before + 1
    assert [s for s in statements if s.startswith("INSERT INTO chat_request_seen")] != []


def test_a_command_that_only_reads_is_answered_at_once_while_another_writes(chat, sqlite_sessions):
    """On SQLite a reader does not wait for the write lock (WAL): with no once-only row to
    write, `/mm platser` is answered in its response while another process holds the lock."""
    open_request(chat)
    url = sqlite_sessions.kw["bind"].url.render_as_string(hide_password=False)
    with write_lock_held(url, 5):
        started = time.monotonic()
        answer = chat.reply("U0COORD", "platser")
        took = time.monotonic() - started
    assert "Totalt: 31 lediga platser." in to_plain(answer["blocks"])
    assert took < 2.0


def test_a_late_answer_to_a_command_that_only_reads_is_recorded_and_posted_once(chat, monkeypatch):
    """Past the acknowledgement's budget the answer is posted through response_url: a post is
    seen as often as it is made, so its key is written first, and a repeat posts nothing."""
    open_request(chat)
    reply_for_slack = commands.reply_for_slack

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)
        return reply_for_slack(*args, **kwargs)

    monkeypatch.setattr(commands, "reply_for_slack", slow)
    chat.runtime.ack_budget = 0.05
    before = _seen(chat)
    body = chat.command_body("U0COORD", "platser")
    for _delivery in range(2):
        answer = chat.post(body, "application/x-www-form-urlencoded")
        assert answer.get_json()["text"] == "Ett ögonblick, jag tar fram det …"
        chat.drain()
    posted = [c for c in chat.slack.sent("response_url") if "blocks" in c]
    assert len(posted) == 1
    assert "Totalt: 31 lediga platser." in to_plain(posted[0]["blocks"])
    assert _seen(chat) == before + 1
