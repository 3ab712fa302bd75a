"""What the hostile run sent to /slack/events, signed: JSON nested 5 000–20 000 deep (as a
form's payload and as a JSON body), a 400-digit number where a button carries an id, and a
string where Slack sends an object. Each gets a 4xx or a quiet acknowledgement: never a 500,
never a traceback, and a refusal is one line in the log."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest

from bot.inbound import MAX_DEPTH, record_id
from domain.choices import Role
from notices.request_cards import ACCEPT_ACTION
from tests.bot.test_inbound import (
    FORM,
    JSON,
    block_actions,
    event,
    raw_post,
    signed,
    tracebacks,
    view_submission,
)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _deep_payload(depth: int) -> str:
    body = json.dumps(block_actions())
    return urlencode({"payload": body[:-1] + f', "deep": {_nested(depth)}}}'})


def _deep_event(depth: int) -> str:
    return event({"type": "message", "channel": "D1", "text": "hej", "deep": "x"}).replace(
        '"x"', _nested(depth)
    )


DEEP = [
    pytest.param(_deep_payload(5_000), FORM, id="payload-5000"),
    pytest.param(_deep_payload(20_000), FORM, id="payload-20000"),
    pytest.param(_deep_event(5_000), JSON, id="json-5000"),
    pytest.param(_deep_event(20_000), JSON, id="json-20000"),
    pytest.param(_deep_event(MAX_DEPTH + 1), JSON, id="json-just-too-deep"),
    pytest.param(
        '{"type": "event_callback", "a": "' + "[" * 3000 + '", "b": ' + _nested(5000) + "}",
        "application/json; charset=utf-8",
        id="brackets-in-a-string-then-deep",
    ),
]
WRONG_TYPES = [
    pytest.param(
        view_submission(state={"values": {"b": {"value": {"selected_option": "osby"}}}}),
        id="selected_option-a-string",
    ),
    pytest.param(
        view_submission(state={"values": {"b": {"value": {"selected_option": {"value": 7}}}}}),
        id="selected_option-value-a-number",
    ),
    pytest.param(
        view_submission(state={"values": {"b": {"value": {"value": ["a"]}}}}),
        id="value-a-list",
    ),
    pytest.param(
        view_submission(state={"values": {"b": {"value": {"selected_date": 20261201}}}}),
        id="selected_date-a-number",
    ),
]


def _refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]


@pytest.mark.parametrize(("body", "content_type"), DEEP)
def test_deeply_nested_json_gets_400_and_one_log_line(chat, caplog, body, content_type):
    caplog.set_level(logging.INFO)
    response = raw_post(chat, body, content_type, signed(body))
    chat.drain()
    assert response.status_code == 400
    assert tracebacks(caplog) == []
    assert len(_refusals(caplog)) == 1
    assert chat.slack.calls == []


@pytest.mark.parametrize("body", WRONG_TYPES)
def test_a_value_of_the_wrong_type_gets_400_and_one_log_line(chat, caplog, body):
    caplog.set_level(logging.INFO)
    sent = urlencode({"payload": json.dumps(body)})
    response = raw_post(chat, sent, FORM, signed(sent))
    chat.drain()
    assert response.status_code == 400
    assert tracebacks(caplog) == []
    assert len(_refusals(caplog)) == 1
    assert chat.slack.calls == []


def test_nesting_within_the_limit_is_read_as_before(chat):
    body = _deep_event(MAX_DEPTH - 3)  # the event itself adds two levels
    response = raw_post(chat, body, JSON, signed(body))
    chat.drain()
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["1" * 400, "9" * 19, "-1", "1e400", "١٢"])
def test_a_button_with_a_number_too_large_or_no_number_is_ignored_quietly(chat, caplog, value):
    caplog.set_level(logging.WARNING)
    contact = chat.world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    chat.link(contact, "U0OSBY")
    clicked = block_actions(actions=[{"action_id": ACCEPT_ACTION, "value": value, "block_id": "b"}])
    sent = urlencode({"payload": json.dumps(clicked)})
    response = raw_post(chat, sent, FORM, signed(sent))
    chat.drain()
    assert response.status_code == 200
    assert tracebacks(caplog) == []
    assert not [r for r in caplog.records if "Overflow" in r.getMessage()]


def test_record_ids_are_decimal_digits_that_fit_the_database():
    assert [record_id(v) for v in ("1", "042", 17, "9" * 18)] == [1, 42, 17, int("9" * 18)]
    assert [record_id(v) for v in ("9" * 19, "", "-1", "1.0", "١٢", True, None, [1])] == [None] * 8
