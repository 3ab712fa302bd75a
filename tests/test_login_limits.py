"""Logging in: the password check and the limit on failures, counted per account and address
in the database so that it holds for every web worker, atomically (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from domain.authentication import FREE_FAILURES
from domain.choices import Role
from locales import render
from services import accounts, login, second_factor
from storage.db import unit_of_work
from storage.models import LoginThrottle, User
from tests.support.clock import moment
from tests.support.login import enrol

NOW = moment(date(2026, 11, 23))
PASSWORD = "ett-langt-losenord-2026"
WRONG = "E-postadressen eller lösenordet är fel."


def email_of(world, actor) -> str:
    return world.read(lambda s: s.get(User, actor.user_id).email)


def attempt(world, email, password, address="10.0.0.1", now=NOW):
    result = world.do(
        login.check_password, email=email, password=password, address=address, now=now
    )
    problem = render(result.problem) if result.problem else None
    return result.user.id if result.user else None, problem


def test_the_right_password_is_accepted_and_clears_earlier_failures(world):
    actor = world.user(Role.INVESTIGATOR, password=PASSWORD)
    email = email_of(world, actor)
    assert attempt(world, email, "fel") == (None, WRONG)
    assert attempt(world, email.upper(), PASSWORD) == (actor.user_id, None)
    assert world.read(lambda s: s.scalar(select(func.count()).select_from(LoginThrottle))) == 0


def test_failures_make_this_address_wait_longer_each_time_but_not_another(world):
    actor = world.user(Role.INVESTIGATOR, password=PASSWORD)
    email = email_of(world, actor)
    for _ in range(FREE_FAILURES):
        assert attempt(world, email, "fel") == (None, WRONG)
    # Even the right password is not checked while this address must wait a minute …
    assert attempt(world, email, PASSWORD) == (
        None,
        "För många misslyckade inloggningsförsök. Försök igen tidigast 23 nov. 2026 10:01.",
    )
    # … but the account is not locked for the person in another office.
    assert attempt(world, email, PASSWORD, address="10.0.0.2") == (actor.user_id, None)
    # After the wait one more try; failing it doubles the wait (two minutes).
    later = NOW + timedelta(minutes=1)
    assert attempt(world, email, "fel", now=later) == (None, WRONG)
    assert attempt(world, email, PASSWORD, now=later + timedelta(seconds=119))[0] is None
    assert attempt(world, email, PASSWORD, now=later + timedelta(minutes=2)) == (
        actor.user_id,
        None,
    )


def test_one_address_guessing_many_accounts_locks_none_of_them_for_others(world):
    actor = world.user(Role.COORDINATOR, password=PASSWORD)
    for number in range(40):
        attempt(world, f"guess{number}@example.org", "fel", address="192.0.2.7")
    for _ in range(FREE_FAILURES):
        attempt(world, email_of(world, actor), "fel", address="192.0.2.7")
    assert attempt(world, email_of(world, actor), PASSWORD, address="192.0.2.7")[0] is None
    assert attempt(world, email_of(world, actor), PASSWORD, address="192.0.2.8")[0] == (
        actor.user_id
    )


def test_unknown_and_inactive_accounts_get_the_same_answer(world):
    actor = world.user(Role.INVESTIGATOR, password=PASSWORD)
    email = email_of(world, actor)
    world.do(accounts.deactivate, actor=None, user_id=actor.user_id, now=NOW)
    assert attempt(world, email, PASSWORD) == (None, WRONG)
    assert attempt(world, "nobody@example.org", PASSWORD) == (None, WRONG)
    assert attempt(world, "", "") == (None, WRONG)


def test_the_administrator_unlocks_an_account_for_every_address(world):
    actor = world.user(Role.INVESTIGATOR, password=PASSWORD)
    email = email_of(world, actor)
    for address in ("10.0.0.1", "10.0.0.2"):
        for _ in range(FREE_FAILURES):
            attempt(world, email, "fel", address=address)
    world.do(accounts.unlock, actor=None, user_id=actor.user_id, now=NOW)
    assert attempt(world, email, PASSWORD, address="10.0.0.1") == (actor.user_id, None)
    assert attempt(world, email, PASSWORD, address="10.0.0.2") == (actor.user_id, None)


def test_twenty_concurrent_wrong_passwords_check_at_most_the_limit(world):
    """Twenty requests at the same moment from one address: the throttle row is locked while
    a password is checked, so the sixth and later wait instead of being checked."""
    actor = world.user(Role.MUNICIPALITY_CONTACT, "Osby", password=PASSWORD)
    email = email_of(world, actor)
    start = threading.Barrier(20)
    results = []

    def one() -> None:
        start.wait()
        with unit_of_work(world.sessions) as session:
            results.append(
                login.check_password(
                    session, email=email, password="fel-losenord", address="10.9.9.9", now=NOW
                )
            )

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 20
    assert sum(r.checked for r in results) == FREE_FAILURES
    assert sum(r.throttled for r in results) == 20 - FREE_FAILURES
    row = world.read(lambda s: s.get(LoginThrottle, (email, "10.9.9.9")))
    assert row.failures == FREE_FAILURES
    # The same address is not locked out of another account.
    other = world.user(Role.COORDINATOR, password=PASSWORD)
    assert attempt(world, email_of(world, other), PASSWORD, address="10.9.9.9")[0] == (
        other.user_id
    )


def test_a_code_is_good_once_and_wrong_codes_count_as_failures(world):
    actor = world.user(Role.COORDINATOR, password=PASSWORD)
    secret = enrol(world.sessions, actor.user_id, NOW)
    code = second_factor.code_at(secret, NOW)

    def give(code, now=NOW):
        result = world.do(
            login.check_second_factor,
            user_id=actor.user_id,
            code=code,
            address="10.0.0.1",
            now=now,
        )
        return result.user.id if result.user else render(result.problem)

    assert give(code) == actor.user_id
    replay = "Koden är fel eller har redan använts. Vänta på en ny kod och försök igen."
    assert give(code) == replay
    assert give(code, NOW + timedelta(seconds=20)) == replay
    # The previous step's code is refused too once a later one was used.
    assert give(second_factor.code_at(secret, NOW - timedelta(seconds=30))) == replay
    assert give(second_factor.code_at(secret, NOW + timedelta(seconds=30))) == actor.user_id
    # A success forgets the failures; after five wrong codes no code is checked for a while.
    for _ in range(FREE_FAILURES):
        assert give("000000") == replay
    assert give(second_factor.code_at(secret, NOW + timedelta(seconds=50))) == (
        "För många misslyckade inloggningsförsök. Försök igen tidigast 23 nov. 2026 10:01."
    )


def test_a_recovery_code_works_once(world):
    actor = world.user(Role.COORDINATOR, password=PASSWORD)

    def make(session):
        user = session.get(User, actor.user_id)
        return second_factor.enrol(
            session,
            user=user,
            secret=(secret := second_factor.new_secret()),
            code=second_factor.code_at(secret, NOW),
            now=NOW,
        )

    codes = world.read(make)
    assert len(codes) == 10 and len(set(codes)) == 10
    result = world.do(
        login.check_second_factor,
        user_id=actor.user_id,
        code=codes[3].upper(),
        address="10.0.0.1",
        now=NOW,
    )
    assert result.user is not None
    again = world.do(
        login.check_second_factor, user_id=actor.user_id, code=codes[3], address="10.0.0.1", now=NOW
    )
    assert again.user is None
    assert world.read(lambda s: second_factor.recovery_codes_left(s, user_id=actor.user_id)) == 9
