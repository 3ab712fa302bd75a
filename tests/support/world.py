"""A small world to act in: users of each role and the use cases, one transaction each."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.access import Actor
from domain.choices import BenefitType, Role
from domain.participants import ParticipantDetails
from services import placements, referrals, users
from storage.db import unit_of_work
from storage.models import Municipality, Referral
from tests.support.clock import moment

VALID_NUMBERS = ("19810923-9809", "19900118-9811", "19750402-9807", "19880614-9822")
_emails = itertools.count(1)


def personnummer(n: int) -> str:
    """The n-th of many distinct, checksum-valid personnummer (born 1970–1997, birth numbers
    980–999 as the demo data's): one person per referral, as the duplicate rule wants."""
    born = date(1970, 1, 1) + timedelta(days=n // 20)
    digits = f"{born:%y%m%d}{980 + n % 20:03d}"
    total = sum(
        (2 * int(d) // 10 + 2 * int(d) % 10) if i % 2 == 0 else int(d) for i, d in enumerate(digits)
    )
    return f"{born:%Y%m%d}-{digits[6:]}{(10 - total % 10) % 10}"


class World:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.filed = 0  # the first referral is Anna Andersson's, the others other people's

    def do(self, use_case: Callable[..., Any], **kwargs: Any) -> Any:
        with unit_of_work(self.sessions) as session:
            return use_case(session, **kwargs)

    def read(self, query: Callable[[Session], Any]) -> Any:
        with unit_of_work(self.sessions) as session:
            return query(session)

    def municipality(self, name: str) -> int:
        return self.read(
            lambda s: s.scalars(select(Municipality.id).where(Municipality.name == name)).one()
        )

    def user(
        self, role: Role, municipality: str | None = None, password: str | None = None
    ) -> Actor:
        """A user of `role`; without a password unless asked (hashing is slow on purpose)."""

        def add(session: Session) -> Actor:
            found = (
                session.scalars(select(Municipality).where(Municipality.name == municipality)).one()
                if municipality
                else None
            )
            user = users.add_user(
                session,
                email=f"user{next(_emails)}@test.example",
                name="Test Person",
                role=role,
                municipality=found,
                password=password,
                now=moment(date(2026, 1, 2)),
            )
            return users.actor_of(user)

        return self.read(add)

    def next_number(self) -> str:
        self.filed += 1
        return VALID_NUMBERS[0] if self.filed == 1 else personnummer(self.filed)

    def file(self, investigator: Actor, municipality: str, on: date, **overrides: Any) -> Referral:
        values: dict[str, Any] = {
            "participant": ParticipantDetails(
                name="Anna Andersson",
                personal_identity_number=self.next_number(),
                phone="070-174 06 05",
                needs="Vill pröva lager.",
            ),
            "benefit_type": BenefitType.SICKNESS_BENEFIT,
            "preferred_municipality_id": self.municipality(municipality),
            "consent_given": True,
            "consent_on": on,
            "municipality_id": self.municipality(municipality),
            "now": moment(on),
        }
        values.update(overrides)
        return self.do(referrals.file_referral, actor=investigator, **values)

    def open_request_id(self, referral_id: int) -> int:
        return self.read(lambda s: referrals.open_request_of(s.get(Referral, referral_id)).id)

    def started(
        self,
        investigator: Actor,
        contact: Actor,
        municipality: str,
        start: date,
    ) -> Referral:
        """A referral whose tripartite meeting was held on `start`."""
        referral = self.file(investigator, municipality, start - timedelta(days=7))
        self.do(
            referrals.accept_request,
            actor=contact,
            request_id=self.open_request_id(referral.id),
            meeting_on=start,
            now=moment(start - timedelta(days=5)),
        )
        self.do(
            placements.record_meeting_held,
            actor=contact,
            referral_id=referral.id,
            held_on=start,
            now=moment(start, 15),
        )
        return referral

    def status(self, referral_id: int) -> Any:
        return self.read(lambda s: s.get(Referral, referral_id).status)


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    return World(sessions)


@pytest.fixture
def sqlite_world(sqlite_sessions: sessionmaker[Session]) -> World:
    return World(sqlite_sessions)


@pytest.fixture
def demo_world(sqlite_demo_sessions: sessionmaker[Session]) -> World:
    """On SQLite, with the demo data of Monday 23 November 2026 at 06:00."""
    return World(sqlite_demo_sessions)
