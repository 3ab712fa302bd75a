"""API tokens' rules on both databases: usable until revoked or expired, last use kept, and
the rate limit counted one call at a time even when calls arrive together."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from domain.choices import Role
from services import api_tokens
from storage.db import unit_of_work
from tests.support.api import make_token
from tests.support.clock import moment

NOW = moment(date(2026, 11, 23), 11)


def call(world, token, now=NOW, limit=100):
    return world.do(api_tokens.caller, token=token, now=now, limit=limit)


def test_a_token_acts_as_its_role_until_revoked_and_keeps_its_last_use(world):
    token = make_token(world, "Osby ärendesystem", Role.MUNICIPALITY_CONTACT, "Osby")
    found = call(world, token)
    assert found.actor.role is Role.MUNICIPALITY_CONTACT
    assert found.actor.municipality_id == world.municipality("Osby")
    [row] = world.do(api_tokens.list_tokens, actor=None)
    assert row.last_used_at == NOW
    assert call(world, token + "x") is None
    assert call(world, token.removeprefix("mm_")) is None
    world.do(api_tokens.revoke_token, actor=None, name="Osby ärendesystem", now=NOW)
    assert call(world, token, now=NOW + timedelta(seconds=1)) is None


def test_a_token_stops_working_when_it_expires(world):
    token = make_token(world, "Kort", Role.COORDINATOR, expires_at=NOW + timedelta(hours=1))
    assert call(world, token) is not None
    assert call(world, token, now=NOW + timedelta(hours=1)) is None


def test_the_rate_limit_counts_calls_that_arrive_together_one_by_one(world):
    token = make_token(world, "Ivrig", Role.COORDINATOR)
    start = threading.Barrier(12)
    answers = []

    def one() -> None:
        start.wait()
        with unit_of_work(world.sessions) as session:
            answers.append(api_tokens.caller(session, token=token, now=NOW, limit=5))

    threads = [threading.Thread(target=one) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.limited for a in answers) == [False] * 5 + [True] * 7
    # A new minute, a new count.
    assert call(world, token, now=NOW + timedelta(minutes=1), limit=5).limited is False
