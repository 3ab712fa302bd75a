"""Every word a person reads is Swedish: each page of each role on the demo data (the access
tests' route table, then every link from there), the error pages and the forms sent empty,
and the chat messages and e-mails the demo's events produced. A word must come from the
catalogue or from the data (tests/web/visible.py); a field's Python name or class name,
or an English label like "Submission Key", fails with the page and the text it stood in."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from domain.access import Actor
from domain.clock import FixedClock
from notices.outlets import attach
from services.municipalities import set_matrix_room, set_slack_channel
from storage.db import unit_of_work
from storage.models import ChatOutbox, Municipality, User
from tests.support.clock import MovableClock, moment
from tests.web.browser import TODAY, demo_database
from tests.web.conftest import Visitor
from tests.web.visible import catalogue_words, data_words, foreign, page_texts, words
from tests.web.walk import DEMO_ROLES, demo_objects, empty_posts, start_paths, walk
from transports.channels import Channels
from transports.mail.settings import MailSettings
from transports.matrix.settings import MatrixSettings
from transports.outlets import ChatOutlets
from transports.slack.settings import ChatSettings
from web import create_app

ROLES = ["anonymous", "investigator", "osby", "coordinator", "association", "admin", "log_reviewer"]


def _chat_places(sessions) -> None:
    """Every municipality in a Slack channel and a Matrix room, and the chat on (nothing is
    sent: the messages stay in the outbox), so that the demo's requests and answers are
    written as they would be sent."""
    with unit_of_work(sessions) as session:
        for number, municipality in enumerate(session.scalars(select(Municipality)), start=1):
            when = moment(date(2026, 1, 1))
            set_slack_channel(
                session,
                actor=None,
                municipality_id=municipality.id,
                channel=f"C0DEMO{number:04d}",
                now=when,
            )
            set_matrix_room(
                session,
                actor=None,
                municipality_id=municipality.id,
                room=f"!demo{number}:matrix.example",
                now=when,
            )
    slack = ChatSettings(bot_token="xoxb-demo")
    attach(
        sessions,
        ChatOutlets(
            settings=slack,
            channels=Channels(
                slack=slack,
                matrix=MatrixSettings(
                    homeserver="http://127.0.0.1:9",
                    user_id="@mm:matrix.example",
                    access_token="t",
                ),
                mail=MailSettings(host="127.0.0.1", sender="mm@mm.example"),
            ),
            clock=FixedClock(moment(TODAY, 11)),
            on_commit=lambda _ids: None,
        ),
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory, sqlite_template, program):
    url, engine, sessions = demo_database(
        tmp_path_factory.mktemp("visible"), sqlite_template, program, prepare=_chat_places
    )
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "visible-text",
            "CLOCK": MovableClock(moment(TODAY, 11)),
        }
    )
    with unit_of_work(sessions) as session:
        vocabulary = catalogue_words() | data_words(session)
        objects = demo_objects(session)
    yield app, sessions, vocabulary, objects
    engine.dispose()


def _visitor(app, sessions, role: str) -> Visitor:
    if role == "anonymous":
        return Visitor(app)
    with unit_of_work(sessions) as session:
        user = session.scalars(select(User).where(User.email == DEMO_ROLES[role])).one()
        actor = Actor(user.id, user.role, user.municipality_id)
    return Visitor(app, actor)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.slow
def test_every_page_of_every_role_speaks_swedish(demo, role):
    app, sessions, vocabulary, objects = demo
    visitor = _visitor(app, sessions, role)

    def get(path: str) -> tuple[int, str]:
        response = visitor.client.get(path, follow_redirects=True)
        return response.status_code, response.get_data(as_text=True)

    pages = walk(get, start_paths(role, objects))
    for path, data in empty_posts(role, objects):
        response = visitor.post(path, data, follow_redirects=True)
        pages[f"POST {path}"] = (response.status, response.response.get_data(as_text=True))
    assert len(pages) > 10
    assert all(status != 500 for status, _html in pages.values())
    problems = {
        path: found
        for path, (_status, html) in pages.items()
        if (found := foreign(page_texts(html), vocabulary))
    }
    assert problems == {}


def test_chat_messages_and_e_mails_speak_swedish(demo):
    _app, sessions, vocabulary, _objects = demo
    with unit_of_work(sessions) as session:
        sent = [(row.text, row.blocks, row.payload) for row in session.scalars(select(ChatOutbox))]
    assert sent  # the demo's requests were posted to the municipalities' rooms
    problems = []
    for text, blocks, payload in sent:
        texts = [text, *_texts_in(blocks), *_texts_in(payload)]
        for each in texts:
            html = "<" in each and ">" in each
            problems += foreign(page_texts(each) if html else [each], vocabulary)
    assert problems == []


# Keys whose values are machine text in Block Kit, Matrix content and e-mail parts.
MACHINE_KEYS = {
    "type",
    "action_id",
    "block_id",
    "url",
    "style",
    "msgtype",
    "format",
    "value",
    "image_url",
    "to",
    "from",
    "reply_to",
    "channel",
    "key",
}


def _texts_in(value: object) -> list[str]:
    """The texts of Block Kit blocks, Matrix content and an e-mail's parts."""
    if isinstance(value, dict):
        return [t for k, item in value.items() if k not in MACHINE_KEYS for t in _texts_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts_in(item)]
    return [value] if isinstance(value, str) else []


def test_the_check_reports_english_python_names_and_class_names():
    """It can fail: the fault the issue saw, and the field's own names, are reported."""
    vocabulary = catalogue_words()
    page = """<html><head><title>Anmälan</title></head><body><form>
      <label for="k">Submission Key</label><p class="hint">Till exempel 2026-11-23.</p>
      <label>submission_key</label><span>SubmissionKeyField</span>
      <button aria-label="Send the form">Skicka</button></form></body></html>"""
    found = foreign(page_texts(page), vocabulary)
    assert found == [
        "'Submission Key': Submission, Key",
        "'submission_key': submission_key",
        "'SubmissionKeyField': SubmissionKeyField",
        "'Send the form': Send, the, form",
    ]
    assert words("Chrome på Linux") == ["Chrome", "på", "Linux"]
