"""What /slack/events lets in: the signature first (401), then a shape the bot can read (400),
then the configured workspace (403). Never an HTTP 5xx, never a traceback, whatever arrives —
checked with the shapes from the issue and with 1 200 fuzzed requests, signed and unsigned."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from domain.choices import Role
from notices.request_cards import ACCEPT_ACTION
from storage.models import ChatRequestSeen, Event, Municipality
from tests.bot.conftest import SECRET

RESPONSE_URL = "https://response.example/r1"  # the stand-in's, in the fuzz
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def raw_post(chat, body: bytes | str, content_type: str | None, headers: dict[str, str]):
    sent = dict(headers)
    if content_type is not None:
        sent["Content-Type"] = content_type
    data = body.encode() if isinstance(body, str) else body
    return chat.app.test_client().post("/slack/events", data=data, headers=sent)


def signed(body: bytes | str) -> dict[str, str]:
    """Slack's signature over the very bytes sent."""
    data = body.encode() if isinstance(body, str) else body
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + data, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


def tracebacks(caplog) -> list[str]:
    """Tracebacks, and errors logged by our code or Bolt (slack_sdk logs an ERROR line for a
    response_url it cannot reach, which a fuzzed payload may well name)."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.exc_info or (r.levelno >= logging.ERROR and not r.name.startswith("slack_sdk"))
    ]


def payload(kind: str, **fields: Any) -> str:
    return urlencode({"payload": json.dumps({"type": kind, **fields})})


def interaction(body: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(body)})


def block_actions(**override: Any) -> dict[str, Any]:
    body = {
        "type": "block_actions",
        "user": {"id": "U0OSBY", "team_id": "T0MM"},
        "team": {"id": "T0MM"},
        "trigger_id": "1.2.t",
        "response_url": RESPONSE_URL,
        "actions": [{"action_id": ACCEPT_ACTION, "value": "1", "block_id": "b"}],
    }
    body.update(override)
    return body


def view_submission(**view: Any) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "user": {"id": "U0OSBY"},
        "team": {"id": "T0MM"},
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "accept_request",
            "private_metadata": "{}",
            **view,
        },
    }


def event(event: dict[str, Any], **outer: Any) -> str:
    return json.dumps(
        {"type": "event_callback", "team_id": "T0MM", "event_id": "Ev1", "event": event, **outer}
    )


# (body, content type): every one is signed properly and still cannot be read.
MALFORMED = [
    ("payload=%7B", FORM),
    ("[1]", JSON),
    ('"just a string"', JSON),
    ("{not json", JSON),
    (urlencode({"payload": "[1, 2]"}), FORM),
    (urlencode({"payload": json.dumps(view_submission(state={"values": []}))}), FORM),
    (urlencode({"payload": json.dumps(view_submission(state={"values": {"b": []}}))}), FORM),
    (urlencode({"payload": json.dumps(view_submission(callback_id=7))}), FORM),
    (urlencode({"payload": json.dumps({**view_submission(), "view": "x"})}), FORM),
    ("command=%2Fmm&text=platser&team_id=T0MM", FORM),  # a slash command without user_id
    ("command=%2Fmm&user_id=&team_id=T0MM", FORM),
    (urlencode({"payload": json.dumps(block_actions(actions=[]))}), FORM),
    (urlencode({"payload": json.dumps(block_actions(actions="accept"))}), FORM),
    (urlencode({"payload": json.dumps(block_actions(actions=[1]))}), FORM),
    (urlencode({"payload": json.dumps(block_actions(user="U0OSBY"))}), FORM),
    (urlencode({"payload": json.dumps(block_actions(channel=[]))}), FORM),
    (event({"type": "message", "channel": 5, "text": "hej"}), JSON),
    (event({"type": "app_mention", "channel": "C1", "user": "U1"}), JSON),  # no text
    (event({"type": "app_home_opened"}), JSON),  # no user
    (json.dumps({"type": "event_callback", "team_id": "T0MM", "event": []}), JSON),
    (json.dumps({"type": "url_verification"}), JSON),  # no challenge
    (payload("something_else", user={"id": "U1"}), FORM),
    ("\udcff".encode("utf-8", "surrogatepass"), FORM),  # not UTF-8
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_a_signed_request_the_bot_cannot_read_gets_400_without_a_traceback(
    chat, caplog, body, content_type
):
    caplog.set_level(logging.INFO)
    response = raw_post(chat, body, content_type, signed(body))
    chat.drain()
    assert response.status_code == 400
    assert tracebacks(caplog) == []
    assert chat.slack.calls == []


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="unsigned"),
        pytest.param({"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=" + "0" * 64}),
        pytest.param({"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=zz"}),
        pytest.param({"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""}),
        pytest.param({"X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": "v0=ab"}),
        pytest.param(
            {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=åäö"}
        ),
    ],
)
def test_an_unsigned_or_badly_signed_request_gets_401_before_it_is_read(chat, caplog, headers):
    for body, content_type in [("payload=%7B", FORM), ("[1]", JSON), ("command=%2Fmm", FORM)]:
        assert raw_post(chat, body, content_type, headers).status_code == 401
    assert tracebacks(caplog) == []


def test_a_request_from_another_workspace_is_refused_and_changes_nothing(chat):
    contact = chat.world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    chat.link(contact, "U0OSBY")
    body = chat.command_body("U0OSBY", "kapacitet 9").replace("team_id=T0MM", "team_id=T0OTHER")
    response = chat.post(body, FORM)
    assert response.status_code == 403
    clicked = interaction(
        block_actions(team={"id": "T0OTHER"}, user={"id": "U0OSBY", "team_id": "T0OTHER"})
    )
    assert raw_post(chat, clicked, FORM, signed(clicked)).status_code == 403
    home = event({"type": "app_home_opened", "user": "U0OSBY", "tab": "home"}, team_id="T0OTHER")
    assert raw_post(chat, home, JSON, signed(home)).status_code == 403
    chat.drain()
    capacity = chat.world.read(
        lambda s: s.scalars(select(Municipality.capacity).where(Municipality.name == "Osby")).one()
    )
    assert capacity == 5
    assert (
        chat.world.read(lambda s: s.scalar(select(func.count()).select_from(ChatRequestSeen))) == 0
    )
    assert chat.slack.calls == []
    # The same command from the configured workspace works: the refusal was the team's doing.
    assert chat.post(chat.command_body("U0OSBY", "kapacitet 9"), FORM).status_code == 200


def test_an_event_the_bot_does_not_handle_is_acknowledged_and_ignored(chat):
    body = event({"type": "reaction_added", "user": "U1", "reaction": "tada"})
    response = raw_post(chat, body, JSON, signed(body))
    assert (response.status_code, response.data) == (200, b"")
    chat.drain()
    assert chat.slack.calls == []


# -- the fuzz ------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.text(max_size=12),
    st.sampled_from(["U0OSBY", "T0MM", "T0OTHER", ACCEPT_ACTION, "/mm", "platser", "{}", "C1"]),
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)

TEMPLATES: list[tuple[dict[str, Any], str]] = [
    (block_actions(), "payload"),
    (block_actions(actions=[{"action_id": "places_page", "value": "2:shared"}]), "payload"),
    (
        view_submission(
            state={"values": {"meeting_on": {"value": {"selected_date": "2026-12-01"}}}}
        ),
        "payload",
    ),
    ({**view_submission(callback_id="decline_request"), "type": "view_submission"}, "payload"),
    (
        {
            "type": "message_action",
            "callback_id": "open_on_web",
            "user": {"id": "U0OSBY"},
            "team": {"id": "T0MM"},
            "channel": {"id": "C1"},
            "message": {"ts": "1.2", "text": "Förfrågan MM-2026-0001"},
            "response_url": RESPONSE_URL,
            "trigger_id": "1.2.t",
        },
        "payload",
    ),
    (
        {
            "command": "/mm",
            "user_id": "U0OSBY",
            "team_id": "T0MM",
            "text": "platser",
            "response_url": RESPONSE_URL,
            "trigger_id": "1.2",
        },
        "form",
    ),
    (
        json.loads(
            event(
                {
                    "type": "message",
                    "channel": "D1",
                    "channel_type": "im",
                    "user": "U0OSBY",
                    "text": "hjälp",
                }
            )
        ),
        "json",
    ),
    (
        json.loads(
            event(
                {
                    "type": "app_mention",
                    "channel": "C1",
                    "user": "U0OSBY",
                    "text": "<@U0BOT> platser",
                }
            )
        ),
        "json",
    ),
    (json.loads(event({"type": "app_home_opened", "user": "U0OSBY", "tab": "home"})), "json"),
    ({"type": "url_verification", "challenge": "c"}, "json"),
]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


def _mutate(value: Any, path: tuple, replacement: Any, delete: bool) -> Any:
    if not path:
        return replacement
    copy = json.loads(json.dumps(value))
    target = copy
    for step in path[:-1]:
        target = target[step]
    if delete and isinstance(target, dict):
        target.pop(path[-1], None)
    else:
        target[path[-1]] = replacement
    return copy


@st.composite
def shaped(draw, mutations: int = 0) -> tuple[bytes, str | None]:
    template, encoding = draw(st.sampled_from(TEMPLATES))
    body = template
    for _round in range(mutations):
        path = draw(st.sampled_from(_paths(body)))
        body = _mutate(body, path, draw(_json), draw(st.booleans()))
    if encoding == "payload":
        text = urlencode({"payload": json.dumps(body)})
        return text.encode(), FORM
    if encoding == "form" and isinstance(body, dict):
        pairs = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
        return urlencode(pairs).encode(), FORM
    return json.dumps(body).encode(), JSON


@st.composite
def garbage(draw) -> tuple[bytes, str | None]:
    kind = draw(st.sampled_from(["form", "payload", "json", "bytes"]))
    if kind == "form":
        pairs = draw(st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=5))
        return urlencode(pairs).encode(), draw(st.sampled_from([FORM, None, "text/plain"]))
    if kind == "payload":
        return ("payload=" + draw(st.text(max_size=40))).encode(), FORM
    if kind == "json":
        return json.dumps(draw(_json)).encode(), draw(st.sampled_from([JSON, FORM, None]))
    return draw(st.binary(max_size=60)), draw(st.sampled_from([FORM, JSON, None]))


@st.composite
def requests(draw) -> tuple[bytes, str | None, str, str, bool]:
    """Signed requests of the right shape, the same mutated, signed garbage, and requests
    that are not (properly) signed at all."""
    category = draw(st.sampled_from(["valid"] * 4 + ["mutated"] * 3 + ["garbage"] * 2 + ["bad"]))
    if category == "valid":
        body, content_type = draw(shaped())
    elif category == "mutated":
        body, content_type = draw(shaped(draw(st.integers(1, 3))))
    else:
        body, content_type = draw(st.one_of(shaped(1), garbage()))
    how = "signed"
    if category == "bad":
        how = draw(st.sampled_from(["none", "bad-stamp", "stale", "wrong"]))
    return body, content_type, how, draw(st.text(max_size=64)), draw(st.booleans())


def _headers(body: bytes, how: str, noise: str, retried: bool) -> dict[str, str]:
    headers = signed(body)
    if how == "none":
        headers = {}
    elif how == "bad-stamp":
        headers["X-Slack-Request-Timestamp"] = noise[:8]
    elif how == "stale":
        headers = signed(body)
        headers["X-Slack-Request-Timestamp"] = str(int(time.time()) - 400)
    elif how == "wrong":
        headers["X-Slack-Signature"] = "v0=" + noise
    if retried:
        headers["X-Slack-Retry-Num"] = "1"
    # As a real HTTP request carries them: Latin-1, one line each.
    return {
        k: v.encode("latin-1", "replace").decode("latin-1").replace("\r", " ").replace("\n", " ")
        for k, v in headers.items()
    }


FUZZED: list[int] = []


@settings(
    max_examples=1200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    derandomize=True,  # the same 1 200 shapes every run: the depth counts below are stable
)
@given(request=requests())
def fuzz_once(chat, request) -> None:
    body, content_type, how, noise, retried = request
    body = body.replace(RESPONSE_URL.encode(), chat.slack.response_url("fuzz").encode()).replace(
        urlencode({"u": RESPONSE_URL})[2:].encode(),
        urlencode({"u": chat.slack.response_url("fuzz")})[2:].encode(),
    )
    response = raw_post(chat, body, content_type, _headers(body, how, noise, retried))
    FUZZED.append(response.status_code)
    assert response.status_code < 500, (body, content_type, how, response.data)


@pytest.mark.slow
def test_1200_fuzzed_requests_get_no_5xx_and_leave_no_traceback(chat, caplog):
    caplog.set_level(logging.WARNING)
    contact = chat.world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    chat.link(contact, "U0OSBY")
    FUZZED.clear()
    fuzz_once(chat)
    assert chat.runtime.drain(60)
    assert len(FUZZED) >= 1000
    statuses = set(FUZZED)
    assert all(s < 500 for s in statuses)
    # Deep and shallow: many reached the listeners, many were refused at each step.
    assert FUZZED.count(200) >= 200 and FUZZED.count(400) >= 150 and FUZZED.count(401) >= 50
    assert tracebacks(caplog) == []
    events = chat.world.read(lambda s: s.scalar(select(func.count()).select_from(Event)))
    assert events >= 1  # the link; fuzzed clicks may not change what they may not
