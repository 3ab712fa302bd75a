"""Logging in: the password check and the limit on failures, kept in the database so that
it holds for every web worker (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from domain.choices import Role
from locales import render
from services.login import MAX_PER_ACCOUNT, MAX_PER_ADDRESS, WINDOW, log_in
from storage.models import LoginFailure, User
from tests.support.clock import moment

NOW = moment(date(2026, 11, 23))
PASSWORD = "ett-langt-losenord-2026"


def email_of(world, actor) -> str:
    return world.read(lambda s: s.get(User, actor.user_id).email)


def attempt(world, email, password, address="10.0.0.1", now=NOW):
    result = world.do(log_in, email=email, password=password, address=address, now=now)
    return result.user.id if result.user else None, render(
        result.problem
    ) if result.problem else None


def test_the_right_password_logs_in_and_clears_earlier_failures(world):
    actor = world.user(Role.INVESTIGATOR, password=PASSWORD)
    email = email_of(world, actor)
    assert attempt(world, email, "fel") == (None, "E-postadressen eller lösenordet är fel.")
    assert attempt(world, email.upper(), PASSWORD) == (actor.user_id, None)
    assert world.read(lambda s: s.scalar(select(func.count()).select_from(LoginFailure))) == 0


def test_an_account_is_locked_after_repeated_failures_until_the_window_passes(world):
    actor = world.user(Role.INVESTIGATOR, password=PASSWORD)
    email = email_of(world, actor)
    for _ in range(MAX_PER_ACCOUNT):
        assert attempt(world, email, "fel")[0] is None
    locked = attempt(world, email, PASSWORD)
    assert locked == (
        None,
        "För många misslyckade inloggningsförsök. Vänta 15 minuter och försök igen.",
    )
    later = NOW + WINDOW + timedelta(seconds=1)
    assert attempt(world, email, PASSWORD, now=later) == (actor.user_id, None)


def test_one_address_trying_many_accounts_is_stopped(world):
    for number in range(MAX_PER_ADDRESS):
        attempt(world, f"guess{number}@example.org", "fel", address="192.0.2.7")
    actor = world.user(Role.COORDINATOR, password=PASSWORD)
    refused = attempt(world, email_of(world, actor), PASSWORD, address="192.0.2.7")
    assert refused[0] is None and refused[1].startswith("För många")
    assert attempt(world, email_of(world, actor), PASSWORD, address="192.0.2.8")[0] == (
        actor.user_id
    )


def test_unknown_and_inactive_accounts_get_the_same_answer(world):
    actor = world.user(Role.INVESTIGATOR, password=PASSWORD)
    email = email_of(world, actor)

    def deactivate(session):
        session.get(User, actor.user_id).active = False

    world.read(deactivate)
    wrong = (None, "E-postadressen eller lösenordet är fel.")
    assert attempt(world, email, PASSWORD) == wrong
    assert attempt(world, "nobody@example.org", PASSWORD) == wrong
    assert attempt(world, "", "") == wrong
