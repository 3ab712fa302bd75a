"""Linking a Slack user to a web account with a one-time link."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.choices import Role
from domain.errors import RuleViolation
from locales import render
from services import chat_links
from tests.support.clock import moment

NOW = moment(date(2026, 11, 23))


def test_a_confirmed_link_tells_the_bot_who_the_slack_user_is(world):
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    token = world.do(chat_links.start_link, slack_user_id="U0OSBY", now=NOW)
    assert world.read(lambda s: chat_links.actor_for_slack_user(s, "U0OSBY")) is None
    linked = world.do(chat_links.confirm_link, actor=osby, token=token, now=NOW)
    assert linked == "U0OSBY"
    assert world.read(lambda s: chat_links.actor_for_slack_user(s, "U0OSBY")) == osby


def test_a_link_works_once(world):
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    token = world.do(chat_links.start_link, slack_user_id="U0OSBY", now=NOW)
    world.do(chat_links.confirm_link, actor=osby, token=token, now=NOW)
    other = world.user(Role.INVESTIGATOR)
    with pytest.raises(RuleViolation) as caught:
        world.do(chat_links.confirm_link, actor=other, token=token, now=NOW)
    assert render(caught.value.text) == (
        "Länken har gått ut eller redan använts. Skicka kommandot koppla till boten i Slack "
        "för att få en ny."
    )


def test_a_link_expires_after_half_an_hour(world):
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    token = world.do(chat_links.start_link, slack_user_id="U0OSBY", now=NOW)
    with pytest.raises(RuleViolation):
        world.do(chat_links.confirm_link, actor=osby, token=token, now=NOW + timedelta(minutes=31))
    with pytest.raises(RuleViolation):
        world.do(chat_links.confirm_link, actor=osby, token="guessed", now=NOW)


def test_a_slack_user_belongs_to_one_account(world):
    first, second = world.user(Role.INVESTIGATOR), world.user(Role.COORDINATOR)
    world.do(
        chat_links.confirm_link,
        actor=first,
        token=world.do(chat_links.start_link, slack_user_id="U0SAME", now=NOW),
        now=NOW,
    )
    with pytest.raises(RuleViolation):
        world.do(
            chat_links.confirm_link,
            actor=second,
            token=world.do(chat_links.start_link, slack_user_id="U0SAME", now=NOW),
            now=NOW,
        )
