"""No personal data in chat: every payload the bot sends, and every answer it gives Slack, is
scanned for the participant data (and staff names) in the database."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import InvalidRequestError

from domain.lifecycle import RequestAnswer
from domain.participants import ParticipantDetails
from notices.request_cards import ACCEPT_ACTION, DECLINE_ACTION
from services import referrals
from services.referral_state import get_referral
from storage.models import Referral
from tests.bot.conftest import (
    NOW,
    OSBY_CHANNEL,
    date_value,
    decline_values,
    open_request,
    personal_data,
)
from tests.support.world import VALID_NUMBERS

NAME = "Zelmira Quistgaard"
NUMBER = VALID_NUMBERS[2]  # 19750402-9807
PHONE = "070-174 06 42"
NEEDS = "Ryggskott och svår ångest; vill prova trädgårdsarbete i Hässleholm"
COMMENT = "Hon har berättat att hon flyttar till Malmö i vår"


def everything_the_bot_does(chat):
    scene = open_request(
        chat,
        participant=ParticipantDetails(NAME, NUMBER, phone=PHONE, needs=NEEDS),
    )
    chat.set_channel("Kristianstad", "C0000KRIS")
    chat.click("U0OSBY", DECLINE_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.drain()
    decline = chat.slack.sent("views.open")[-1]["view"]
    chat.submit("U0OSBY", decline, decline_values("other", COMMENT))
    chat.drain()
    kristianstad = chat.world.municipality("Kristianstad")
    chat.world.do(
        lambda s: referrals.request_placement(
            s,
            actor=scene.investigator,
            referral=s.get(Referral, scene.referral_id),
            municipality_id=kristianstad,
            now=NOW,
        )
    )
    chat.drain()
    second = chat.world.open_request_id(scene.referral_id)
    chat.click("U0OSBY", ACCEPT_ACTION, str(second), channel="C0000KRIS")  # refused
    chat.click("U0KRIS", ACCEPT_ACTION, str(second), channel="C0000KRIS")
    chat.drain()
    accept = chat.slack.sent("views.open")[-1]["view"]
    chat.submit("U0KRIS", accept, date_value("2026-12-03"))
    chat.submit("U0KRIS", accept, date_value("2026-12-04"))  # too late: who answered
    chat.drain()
    for user in ("U0INV", "U0OSBY", "U0KRIS", "U0COORD", "U0NOBODY"):
        for text in (f"status {scene.code}", "platser", "budget", "hjälp", "koppla", "xyz"):
            chat.command(user, text)
    chat.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D0INV",
            "user": "U0INV",
            "text": f"status {scene.code}",
            "ts": "1795000000.000900",
        },
        "Ev0900",
    )
    chat.drain()
    return scene


def test_nothing_sent_to_slack_carries_personal_data(chat):
    everything_the_bot_does(chat)
    sent = {c.method for c in chat.slack.calls}
    assert {"chat.postMessage", "chat.update", "views.open", "chat.postEphemeral"} <= sent
    assert len(chat.slack.calls) >= 10 and len(chat.answers) >= 25
    watched = personal_data(chat.world.sessions)
    for value in (NAME, "197504029807", "750402-9807", "0701740642", NEEDS, COMMENT, "Test Person"):
        assert value in watched
    assert chat.leaks() == []


def test_the_scan_finds_personal_data_when_it_is_there(chat):
    """The scan above can fail: a number written another way is still found."""
    everything_the_bot_does(chat)
    chat.runtime.client.chat_postMessage(channel=OSBY_CHANNEL, text="Ring 0701740642")
    chat.runtime.client.chat_postMessage(channel=OSBY_CHANNEL, text="Gäller 750402-9807")
    assert sorted(chat.leaks()) == ["0701740642", "750402-9807"]
    chat.slack.calls = chat.slack.calls[:-2]  # so that the check after the test passes


def test_the_status_answer_neither_reads_nor_decrypts_a_decline_comment(chat):
    """`/mm status` reads the referral with its requests, but a declined request's comment
    (free text for FK, encrypted) is left in the database: touching it on what the answer
    read raises instead of loading it."""
    scene = open_request(chat, participant=ParticipantDetails(NAME, NUMBER))
    chat.click("U0OSBY", DECLINE_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.drain()
    decline = chat.slack.sent("views.open")[-1]["view"]
    chat.submit("U0OSBY", decline, decline_values("other", COMMENT))
    chat.drain()

    def read_for_status(session):
        referral = get_referral(
            session, actor=scene.investigator, reference_code=scene.code, related=True
        )
        (request,) = referral.requests
        with pytest.raises(InvalidRequestError, match="decline_comment"):
            _ = request.decline_comment
        return request.answer

    assert chat.world.do(read_for_status) is RequestAnswer.DECLINED
    answer = chat.says("U0INV", f"status {scene.code}")
    assert scene.code in answer
    assert COMMENT not in answer
