"""The access matrix of the API, as tests/web/test_access.py is the web site's: every
operation with every kind of token (none, revoked, each role), the status each gets, that
nothing changes for those who may not act, and that the participant's personal data
reaches only the tokens that may see it, each reading in the audit log once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from domain.choices import Role
from services import api_tokens
from storage.models import AuditEntry, Event
from tests.support.api import bearer, make_token
from tests.support.clock import moment

KINDS = ["none", "revoked", "osby", "kristianstad", "coordinator", "association"]
TOKENS = {
    "revoked": (Role.COORDINATOR, None),
    "osby": (Role.MUNICIPALITY_CONTACT, "Osby"),
    "kristianstad": (Role.MUNICIPALITY_CONTACT, "Kristianstad"),
    "coordinator": (Role.COORDINATOR, None),
    "association": (Role.ASSOCIATION, None),
}
SEES_PERSONAL_DATA = {"osby", "coordinator"}
PERSONAL = ("Anna Andersson", "198109239809", "070-174 06 05", "pröva lager")


def expected(kind: str) -> dict[str, int]:
    """Status of each operation (R: a referral Osby was asked about) for a kind of token."""
    if kind in {"none", "revoked"}:
        return dict.fromkeys(OPERATIONS, 401) | {"GET /api/v1/openapi.json": 200}
    contact = kind in {"osby", "kristianstad"}
    casework = contact or kind == "coordinator"
    return {
        "GET /api/v1/openapi.json": 200,
        "GET /api/v1/referrals": 200 if casework else 403,
        "GET /api/v1/referrals/R": 200 if kind in SEES_PERSONAL_DATA else 404 if contact else 403,
        "GET /api/v1/places": 200 if casework else 403,
        "GET /api/v1/budget?year=2026": 200 if kind in {"coordinator", "association"} else 403,
        "GET /api/v1/requisitions": 200,
        "POST /api/v1/referrals/R/decline": 200 if kind == "osby" else 404 if contact else 403,
    }


OPERATIONS = [
    "GET /api/v1/openapi.json",
    "GET /api/v1/referrals",
    "GET /api/v1/referrals/R",
    "GET /api/v1/places",
    "GET /api/v1/budget?year=2026",
    "GET /api/v1/requisitions",
    "POST /api/v1/referrals/R/decline",
]


def count(world, model) -> int:
    return world.read(lambda s: s.scalar(select(func.count()).select_from(model)))


@pytest.mark.parametrize("kind", KINDS)
def test_every_operation_with_every_kind_of_token(app, sqlite_world, kind):
    investigator = sqlite_world.user(Role.INVESTIGATOR)
    code = sqlite_world.file(investigator, "Osby", date(2026, 11, 20)).reference_code
    tokens = {
        name: make_token(sqlite_world, name, role, municipality)
        for name, (role, municipality) in TOKENS.items()
    }
    sqlite_world.do(
        api_tokens.revoke_token, actor=None, name="revoked", now=moment(date(2026, 11, 22))
    )
    headers = bearer(tokens[kind]) if kind in tokens else {}
    client = app.test_client()
    for operation, status in expected(kind).items():
        method, path = operation.split(" ")
        path = path.replace("/R", f"/{code}")
        audit_before, events_before = count(sqlite_world, AuditEntry), count(sqlite_world, Event)
        if method == "GET":
            answer = client.get(path, headers=headers)
        else:
            answer = client.post(path, headers=headers, json={"reason": "no_capacity"})
        assert answer.status_code == status, (kind, operation)
        body = answer.get_data(as_text=True)
        read_participant = operation == "GET /api/v1/referrals/R" and kind in SEES_PERSONAL_DATA
        assert all(p in body for p in PERSONAL) is read_participant, (kind, operation)
        assert any(p in body for p in PERSONAL) is read_participant, (kind, operation)
        assert count(sqlite_world, AuditEntry) - audit_before == int(read_participant)
        changed = count(sqlite_world, Event) - events_before
        assert changed == (1 if status == 200 and method == "POST" else 0), (kind, operation)
        if status >= 400:
            assert answer.mimetype == "application/problem+json", (kind, operation)
