"""The chat bot under test: the real Flask app from create_app, Slack's Web API stood in for
by tests.support.slack, requests signed with the real scheme and posted to /slack/events.

After every test: nothing the bot sent or answered broke Block Kit's limits, and nothing
carried the personal data in the database (see `leaks`)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime import ChatRuntime
from domain.access import Actor
from domain.choices import Role
from domain.clock import FixedClock
from services import chat_links
from services.municipalities import find_municipality, set_slack_channel
from storage.models import Participant, PlacementRequest, User
from tests.support.blockkit import problems_in_payload
from tests.support.clock import moment
from tests.support.slack import SlackStandIn, sign
from tests.support.world import World
from transports.slack.text import to_plain
from web import create_app

SECRET = "test-signing-secret"
SITE = "https://mm.example"
TODAY = date(2026, 11, 23)
NOW = moment(TODAY, 10)
_numbers = itertools.count(1)


def personnummer_forms(number: str) -> list[str]:
    """198109239809 as it may be written: 12 or 10 digits, with - or + before the last four."""
    short = number[2:]
    return [
        number,
        f"{number[:8]}-{number[8:]}",
        short,
        f"{short[:6]}-{short[6:]}",
        f"{short[:6]}+{short[6:]}",
    ]


def phone_forms(phone: str) -> list[str]:
    digits = "".join(c for c in phone if c.isdigit())
    forms = [phone, digits]
    if digits.startswith("0"):
        forms.append("+46" + digits[1:])
    return [f for f in forms if len(f) >= 6]


def personal_data(sessions: sessionmaker[Session]) -> list[str]:
    """Everything in the database that must never reach chat."""
    with sessions() as session:
        values: list[str] = []
        for p in session.scalars(select(Participant)):
            values += [p.name, *personnummer_forms(p.personal_identity_number), p.needs]
            values += phone_forms(p.phone) if p.phone else []
        values += [r.decline_comment for r in session.scalars(select(PlacementRequest))]
        values += [u.name for u in session.scalars(select(User))]
    return [v for v in values if v and len(v) >= 4]


@dataclass
class Chat:
    app: Flask
    runtime: ChatRuntime
    slack: SlackStandIn
    world: World
    answers: list[dict[str, Any]] = field(default_factory=list)
    slash: str = "/mm"

    # -- requests to the app, signed like Slack signs them --------------------------------
    def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        signature: dict[str, str] | None = None,
    ) -> Any:
        signed = sign(SECRET, body) if signature is None else signature
        sent = {"Content-Type": content_type, **signed, **(headers or {})}
        response = self.app.test_client().post("/slack/events", data=body, headers=sent)
        if response.is_json and response.get_json():
            self.answers.append(response.get_json())
        return response

    def command_body(self, user: str, text: str, channel: str = "C0ANYWHERE") -> str:
        n = next(_numbers)
        return urlencode(
            {
                "token": "legacy",
                "team_id": "T0MM",
                "team_domain": "mm-test",
                "channel_id": channel,
                "channel_name": "allmant",
                "user_id": user,
                "user_name": user.lower(),
                "command": self.slash,
                "text": text,
                "api_app_id": "A0MM",
                "response_url": self.slack.response_url(f"command-{n}"),
                "trigger_id": f"{n}.1.trigger",
            }
        )

    def command(self, user: str, text: str, **kwargs: Any) -> Any:
        return self.post(
            self.command_body(user, text), "application/x-www-form-urlencoded", **kwargs
        )

    def reply(self, user: str, text: str) -> dict[str, Any]:
        response = self.command(user, text)
        assert response.status_code == 200, response.data
        return response.get_json()

    def says(self, user: str, text: str) -> str:
        """The answer to `/mm <text>` as readable text."""
        answer = self.reply(user, text)
        return to_plain(answer.get("blocks", []), answer.get("text", ""))

    def interact(self, payload: dict[str, Any], **kwargs: Any) -> Any:
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def click(self, user: str, action_id: str, value: str, channel: str = "C0000OSBY") -> Any:
        n = next(_numbers)
        return self.interact(
            {
                "type": "block_actions",
                "user": {"id": user, "username": user.lower(), "team_id": "T0MM"},
                "api_app_id": "A0MM",
                "team": {"id": "T0MM", "domain": "mm-test"},
                "container": {"type": "message", "message_ts": "1795000000.000001"},
                "trigger_id": f"{n}.2.trigger",
                "channel": {"id": channel, "name": "kanal"},
                "message": {"type": "message", "ts": "1795000000.000001", "text": "…"},
                "response_url": self.slack.response_url(f"click-{n}"),
                "actions": [
                    {
                        "type": "button",
                        "action_id": action_id,
                        "block_id": "b",
                        "value": value,
                        "action_ts": f"1795000100.{n:06d}",
                    }
                ],
            }
        )

    def submit(self, user: str, view: dict[str, Any], values: dict[str, Any], **kwargs: Any) -> Any:
        n = next(_numbers)
        submitted = {**view, "id": f"V{n:06d}", "state": {"values": values}}
        return self.interact(
            {
                "type": "view_submission",
                "user": {"id": user, "username": user.lower(), "team_id": "T0MM"},
                "api_app_id": "A0MM",
                "team": {"id": "T0MM", "domain": "mm-test"},
                "trigger_id": f"{n}.3.trigger",
                "view": submitted,
            },
            **kwargs,
        )

    def event(self, event: dict[str, Any], event_id: str, **kwargs: Any) -> Any:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": "T0MM",
                "api_app_id": "A0MM",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": 1795000000,
                "event": event,
            }
        )
        return self.post(body, "application/json", **kwargs)

    # -- the world behind it -------------------------------------------------------------
    def drain(self) -> None:
        assert self.runtime.drain(10), "background chat work did not finish"

    def link(self, actor: Actor, slack_user: str) -> None:
        token = self.world.do(chat_links.start_link, slack_user_id=slack_user, now=NOW)
        self.world.do(chat_links.confirm_link, actor=actor, token=token, now=NOW)

    def set_channel(self, municipality: str, channel: str) -> None:
        self.world.do(
            lambda s: set_slack_channel(
                s,
                actor=None,
                municipality_id=find_municipality(s, municipality).id,
                channel=channel,
                now=NOW,
            )
        )

    def leaks(self) -> list[str]:
        """Personal data found in anything sent to Slack or answered to it."""
        outbound = [c.raw for c in self.slack.calls] + [json.dumps(a) for a in self.answers]
        outbound += [json.dumps(c.body, ensure_ascii=False) for c in self.slack.calls]
        outbound += [json.dumps(a, ensure_ascii=False) for a in self.answers]
        return [
            value
            for value in personal_data(self.world.sessions)
            if any(value.casefold() in text.casefold() for text in outbound)
        ]

    def broken_blocks(self) -> list[str]:
        found = list(self.slack.violations)
        for answer in self.answers:
            found += problems_in_payload("ack", answer)
        return found


def date_value(day: str | None) -> dict[str, Any]:
    """What Slack sends for the modal's datepicker."""
    return {"meeting_on": {"value": {"type": "datepicker", "selected_date": day}}}


def decline_values(reason: str | None, comment: str = "") -> dict[str, Any]:
    chosen = {"value": reason, "text": {"type": "plain_text", "text": "…"}} if reason else None
    return {
        "reason": {"value": {"type": "static_select", "selected_option": chosen}},
        "comment": {"value": {"type": "plain_text_input", "value": comment or None}},
    }


@dataclass
class Scene:
    """Osby's channel set, people linked to Slack, and one referral asking Osby."""

    investigator: Actor
    osby: Actor
    kristianstad: Actor
    coordinator: Actor
    referral_id: int
    code: str
    request_id: int


OSBY_CHANNEL = "C0000OSBY"


def open_request(chat: Chat, **overrides: Any) -> Scene:
    world = chat.world
    chat.set_channel("Osby", OSBY_CHANNEL)
    people = {
        "investigator": (world.user(Role.INVESTIGATOR), "U0INV"),
        "osby": (world.user(Role.MUNICIPALITY_CONTACT, "Osby"), "U0OSBY"),
        "kristianstad": (world.user(Role.MUNICIPALITY_CONTACT, "Kristianstad"), "U0KRIS"),
        "coordinator": (world.user(Role.COORDINATOR), "U0COORD"),
    }
    for actor, slack_user in people.values():
        chat.link(actor, slack_user)
    referral = world.file(people["investigator"][0], "Osby", date(2026, 11, 20), **overrides)
    chat.drain()
    return Scene(
        **{name: actor for name, (actor, _slack) in people.items()},
        referral_id=referral.id,
        code=referral.reference_code,
        request_id=world.open_request_id(referral.id),
    )


def _url_of(sessions: sessionmaker[Session]) -> str:
    return sessions.kw["bind"].url.render_as_string(hide_password=False)


TEAM = "T0MM"


def make_chat(sessions: sessionmaker[Session], **config: Any) -> Iterator[Chat]:
    clock = FixedClock(NOW)
    slack = SlackStandIn(clock=lambda: clock.now().timestamp())
    app = create_app(
        {
            "DATABASE_URL": _url_of(sessions),
            "CLOCK": clock,
            "SLACK_TEAM_ID": TEAM,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_APP_TOKEN": "",
            "SLACK_COMMAND": "/mm",
            "SLACK_API_URL": slack.api_url,
            "SITE_URL": SITE,
            **config,
        }
    )
    runtime = app.extensions["mm.chat"]
    # What a test asks is answered in the response however busy the machine is (with the
    # whole suite on two cores a first answer has taken over the site's 2 s). The tests of
    # the late answer set their own budget; tests/bot/test_ack.py sets the site's.
    runtime.ack_budget = 30.0
    chat = Chat(
        app=app,
        runtime=runtime,
        slack=slack,
        world=World(app.extensions["mm.sessions"]),
        slash=app.config["SLACK_COMMAND"],
    )
    try:
        yield chat
        chat.drain()
        assert chat.broken_blocks() == []
        assert chat.leaks() == []
    finally:
        runtime.close()
        slack.stop()


@pytest.fixture
def chat(sqlite_sessions) -> Iterator[Chat]:
    yield from make_chat(sqlite_sessions)


@pytest.fixture
def demo_chat(sqlite_demo_sessions) -> Iterator[Chat]:
    """`chat` on the demo data of Monday 23 November 2026 at 06:00."""
    yield from make_chat(sqlite_demo_sessions)


@pytest.fixture
def chat_on_both(sessions) -> Iterator[Chat]:
    """The same, once on SQLite and once on PostgreSQL."""
    yield from make_chat(sessions)
