"""API tokens for tests, made by the same use case as `mm token add` and the admin page."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from domain.choices import Role
from services import api_tokens
from storage.models import Municipality
from tests.support.clock import moment


def make_token(
    world,
    name: str,
    role: Role,
    municipality: str | None = None,
    expires_at: datetime | None = None,
) -> str:
    def add(session):
        found = (
            session.scalars(select(Municipality).where(Municipality.name == municipality)).one()
            if municipality
            else None
        )
        return api_tokens.add_token(
            session,
            actor=None,
            name=name,
            role=role,
            municipality=found,
            expires_at=expires_at,
            now=moment(date(2026, 11, 1)),
        ).token

    return world.read(add)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
