"""The parameters passwords are hashed with: the library's strong default, MM_ARGON2 read as
the hash writes them, never a weaker hash by a typo, and a login that upgrades an old hash.
(The rest of the suite hashes with tiny parameters, set in tests/conftest.py.)"""

from __future__ import annotations

import logging
from datetime import date

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import VerifyMismatchError

from domain.choices import Role
from services import login, password_hashing
from storage.models import User
from tests.support.clock import moment

PASSWORD = "ett-langt-losenord-2026"


@pytest.fixture
def argon2_setting(monkeypatch):
    """Sets MM_ARGON2 (None: unset) for a hasher made afresh; the suite's own afterwards."""

    def choose(value: str | None) -> PasswordHasher:
        if value is None:
            monkeypatch.delenv(password_hashing.ENV, raising=False)
        else:
            monkeypatch.setenv(password_hashing.ENV, value)
        password_hashing.hasher.cache_clear()
        password_hashing.dummy_hash.cache_clear()
        return password_hashing.hasher()

    yield choose
    monkeypatch.undo()
    password_hashing.hasher.cache_clear()
    password_hashing.dummy_hash.cache_clear()


def _made_with(hash_: str) -> tuple[Type, int, int, int]:
    used = extract_parameters(hash_)
    return used.type, used.memory_cost, used.time_cost, used.parallelism


def test_unset_the_passwords_are_hashed_as_rfc_9106_recommends(argon2_setting):
    hasher = argon2_setting(None)
    assert _made_with(hasher.hash(PASSWORD)) == (Type.ID, 65536, 3, 4)


def test_the_written_out_hash_for_unknown_addresses_is_made_as_the_passwords_are(
    argon2_setting,
):
    """The hash checked for an unknown e-mail address is written out for the default
    parameters; it takes as long as a real check only while it has every one of the library's
    parameters, which a new argon2-cffi may change: then write it out again."""
    hasher = argon2_setting(None)
    dummy = password_hashing.dummy_hash()
    kept = extract_parameters(dummy)
    assert _made_with(dummy) == (hasher.type, 65536, 3, 4)
    assert (kept.hash_len, kept.salt_len) == (hasher.hash_len, hasher.salt_len)
    with pytest.raises(VerifyMismatchError):
        hasher.verify(dummy, PASSWORD)


def test_other_parameters_hash_new_passwords_and_the_unknown_address_alike(argon2_setting):
    hasher = argon2_setting("t=2, m=2048 ,p=2")
    assert _made_with(hasher.hash(PASSWORD)) == (Type.ID, 2048, 2, 2)
    assert _made_with(password_hashing.dummy_hash()) == (Type.ID, 2048, 2, 2)


@pytest.mark.parametrize(
    "value",
    [
        *("65536", "m=64M", "m=65536;t=3", "x=1", "m=0", "m=-8", "m=", "m=8,p=4", ","),
        *("m=4194305", "t=65", "p=65"),
    ],
)
def test_a_value_not_understood_keeps_the_default_and_says_so(argon2_setting, caplog, value):
    with caplog.at_level(logging.WARNING, logger=password_hashing.__name__):
        hasher = argon2_setting(value)
    assert _made_with(hasher.hash(PASSWORD)) == (Type.ID, 65536, 3, 4)
    assert [r.getMessage() for r in caplog.records] == [
        f"MM_ARGON2={value!r} is not m=…,t=…,p=…; passwords are hashed as by default"
    ]


@pytest.mark.parametrize(
    ("value", "weak"),
    [("m=1024,t=1,p=1", True), ("m=19455,t=2", True), ("m=19456,t=2,p=1", False)],
)
def test_parameters_below_owasps_minimum_are_used_and_said_to_be_for_tests(
    argon2_setting, caplog, value, weak
):
    with caplog.at_level(logging.WARNING, logger=password_hashing.__name__):
        argon2_setting(value)
    said = [f"MM_ARGON2={value!r} is weaker than OWASP's minimum: for tests only"]
    assert [r.getMessage() for r in caplog.records] == (said if weak else [])


def test_a_login_upgrades_a_password_hashed_with_other_parameters(world, argon2_setting):
    actor = world.user(Role.INVESTIGATOR, password=PASSWORD)
    stored = world.read(lambda s: s.get(User, actor.user_id).password_hash)
    assert _made_with(stored)[1:] == (1024, 1, 1)  # the suite's own, from tests/conftest.py
    argon2_setting("m=2048,t=2,p=1")
    email = world.read(lambda s: s.get(User, actor.user_id).email)
    for password, user_id in (("fel", None), (PASSWORD, actor.user_id)):
        result = world.do(
            login.check_password,
            email=email,
            password=password,
            address="10.0.0.1",
            now=moment(date(2026, 11, 23)),
        )
        assert (result.user.id if result.user else None) == user_id
    upgraded = world.read(lambda s: s.get(User, actor.user_id).password_hash)
    assert _made_with(upgraded)[1:] == (2048, 2, 1)
    PasswordHasher().verify(upgraded, PASSWORD)
