"""API tokens made on the administrator's page and with `mm token`: shown once, stored as a
hash, last use shown, revoked at once; nobody but the administrator reaches the page.
(`mm token`: tests/test_token_cli.py.)"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from domain.choices import Role
from storage.models import ApiToken, User
from tests.support.api import bearer


def tokens_in(text: str) -> list[str]:
    return re.findall(r"mm_[A-Za-z0-9_-]{40,}", text)


def test_the_administrator_makes_a_token_sees_it_once_and_revokes_it(
    app, visit, people, sqlite_world
):
    admin = visit(people["admin"])
    osby = sqlite_world.municipality("Osby")
    made = admin.post(
        "/api-nycklar",
        {"name": "Osby ärendesystem", "role": "municipality_contact", "municipality": str(osby)},
    )
    assert made.status == 200
    [token] = tokens_in(made.response.get_data(as_text=True))
    row = sqlite_world.read(lambda s: s.scalars(select(ApiToken)).one())
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    account = sqlite_world.read(lambda s: s.get(User, row.user_id))
    assert (account.role, account.municipality_id, account.active) == (
        "municipality_contact",
        osby,
        False,
    )
    listed = admin.get("/api-nycklar")
    assert tokens_in(listed.response.get_data(as_text=True)) == []  # once only
    row_text = (
        "Osby ärendesystem Kontaktperson, kommun Osby 23 nov. 2026 11:00 Tills den återkallas"
    )
    assert f"{row_text} Aldrig Återkalla" in listed.text

    assert app.test_client().get("/api/v1/places", headers=bearer(token)).status_code == 200
    used = admin.get("/api-nycklar").text
    assert f"{row_text} 23 nov. 2026 11:00 Återkalla" in used  # its last use is shown

    revoked = admin.post(f"/api-nycklar/{row.id}/aterkalla")
    assert revoked.status == 302
    assert app.test_client().get("/api/v1/places", headers=bearer(token)).status_code == 401
    assert (
        "Osby 23 nov. 2026 11:00 Återkallad 23 nov. 2026 11:00 23 nov. 2026 11:00"
        in admin.get("/api-nycklar").text
    )


def test_a_token_for_a_municipality_contact_needs_its_municipality(visit, people, sqlite_world):
    page = visit(people["admin"]).post(
        "/api-nycklar", {"name": "Utan kommun", "role": "municipality_contact"}
    )
    assert page.status == 400
    assert page.error("municipality") == "En kontaktperson måste höra till en kommun."
    assert sqlite_world.read(lambda s: s.scalars(select(ApiToken)).all()) == []


def test_only_the_administrator_reaches_the_page(visit, people):
    for role, person in people.items():
        status = visit(person).get("/api-nycklar").status
        assert status == (200 if role == "admin" else 403), role


def test_a_token_s_account_is_not_a_person_s_to_manage(visit, people, sqlite_world):
    from tests.support.api import make_token

    make_token(sqlite_world, "FK samordning", Role.COORDINATOR)
    account = sqlite_world.read(lambda s: s.scalars(select(ApiToken.user_id)).one())
    admin = visit(people["admin"])
    assert "FK samordning" not in admin.get("/anvandare").text
    assert admin.get(f"/anvandare/{account}").status == 404
    assert admin.post(f"/anvandare/{account}/aktivera").status == 404
    assert sqlite_world.read(lambda s: s.get(User, account).active) is False
