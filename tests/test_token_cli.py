"""`mm token add|list|revoke` as an operator runs them: the token printed once, Swedish
answers and errors, never a traceback."""

from __future__ import annotations

import re

import pytest

from tests.test_cli import loaded_database, ready  # noqa: F401 - `mm` on a loaded database
from tests.web.conftest import squash


def tokens_in(text: str) -> list[str]:
    return re.findall(r"mm_[A-Za-z0-9_-]{40,}", text)


@pytest.mark.slow
def test_mm_token_add_prints_the_token_once_and_revoke_refuses_it(ready):  # noqa: F811
    added = ready(
        "token", "add", "--name", "Osby ärendesystem", "--role", "municipality_contact",
        "--municipality", "Osby", "--expires", "2027-06-30",
    )  # fmt: skip
    first, second = added.stdout.splitlines()
    assert first == "API-nyckeln Osby ärendesystem (visas bara nu, förvara den säkert):"
    assert len(tokens_in(second)) == 1
    listed = ready("token", "list").stdout
    assert squash(listed) == "Osby ärendesystem municipality_contact Osby aldrig använd"
    assert tokens_in(listed) == []
    done = ready("token", "revoke", "Osby ärendesystem")
    assert done.stdout.strip() == "API-nyckeln Osby ärendesystem är återkallad."
    assert squash(ready("token", "list").stdout).startswith(
        "Osby ärendesystem municipality_contact Osby återkallad 23 nov. 2026"
    )


def test_mm_token_add_refuses_what_a_token_cannot_be(ready):  # noqa: F811
    admin = ready("token", "add", "--name", "Admin", "--role", "admin", ok=False)
    assert admin.stderr.splitlines()[-1] == (
        "Fel: Ogiltigt värde för '--role': 'admin' är inte något av 'municipality_contact', "
        "'coordinator', 'association'."
    )
    expired = ready(
        "token", "add", "--name", "Gammal", "--role", "coordinator", "--expires", "2026-01-01",
        ok=False,
    )  # fmt: skip
    assert "Sista giltighetsdagen måste vara i framtiden." in expired.stderr + expired.stdout
    nameless = ready("token", "add", "--name", " ", "--role", "coordinator", ok=False)
    assert "Ge nyckeln ett namn (högst 100 tecken)." in nameless.stderr + nameless.stdout
