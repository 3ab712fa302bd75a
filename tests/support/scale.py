"""A national program at scale, by plain INSERTs: 290 municipalities, 100 000 placements and
5 000 open requests (smaller numbers in tests). For `make bench` and tests of the lists."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from domain.choices import BenefitType, Role
from domain.lifecycle import ReferralStatus
from storage.models import Municipality, PlacementRequest, Referral, User
from tests.support.bulk import insert_placements
from tests.support.clock import moment


def add_municipalities(session: Session, count: int) -> list[int]:
    """Municipalities up to `count` in all (the program's own first), each with room."""
    have = list(session.scalars(select(Municipality.id).order_by(Municipality.id)))
    rows = [
        {"name": f"Kommun {n:03d}", "code": f"{9000 - n:04d}", "capacity": 400, "offer": ""}
        for n in range(len(have), count)
    ]
    if rows:
        session.execute(insert(Municipality), rows)
    return list(session.scalars(select(Municipality.id).order_by(Municipality.id)))


def insert_open_requests(
    session: Session, municipality_ids: list[int], count: int, today: date, seed: int = 2
) -> None:
    """`count` referrals waiting for an answer, asked during the last three weeks."""
    rng = random.Random(seed)
    user_id = session.scalar(select(User.id).where(User.email == "bulk@test.example"))
    if user_id is None:
        user = User(
            email="bulk@test.example",
            name="Bulk",
            role=Role.INVESTIGATOR,
            created_at=moment(date(2026, 1, 1)),
        )
        session.add(user)
        session.flush()
        user_id = user.id
    first = (session.scalar(select(Referral.id).order_by(Referral.id.desc())) or 0) + 1
    referrals: list[dict[str, Any]] = []
    requests: list[dict[str, Any]] = []
    for offset in range(count):
        n = first + offset
        municipality_id = rng.choice(municipality_ids)
        asked = moment(today - timedelta(days=rng.randrange(0, 21)))
        referrals.append(
            dict(
                id=n,
                reference_code=f"OPEN-{n:07d}",
                investigator_id=user_id,
                status=ReferralStatus.REQUESTED,
                benefit_type=BenefitType.SICKNESS_BENEFIT,
                consent_given=True,
                consent_on=asked.date(),
                created_at=asked,
                current_municipality_id=municipality_id,
            )
        )
        requests.append(
            dict(
                referral_id=n,
                municipality_id=municipality_id,
                asked_at=asked,
                asked_by_id=user_id,
                decline_comment="",
            )
        )
    for model, rows in ((Referral, referrals), (PlacementRequest, requests)):
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(model), rows[chunk : chunk + 5000])
    if session.connection().dialect.name == "postgresql":
        for table in ("referral", "placement_request"):
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )


def build_national(
    session: Session,
    *,
    today: date,
    municipalities: int = 290,
    placements: int = 100_000,
    open_requests: int = 5_000,
    seed: int = 1,
) -> list[int]:
    """The whole picture; returns the municipalities' ids."""
    rng = random.Random(seed)
    ids = add_municipalities(session, municipalities)
    per = placements // len(ids)
    for municipality_id in ids:
        spans = []
        for _ in range(per):
            start = date(2026, 1, 1) + timedelta(
                days=rng.randrange(0, (today - date(2026, 1, 1)).days)
            )
            end = start + timedelta(days=rng.randrange(30, 365))
            spans.append((start, end, end < today and rng.random() < 0.7))
        insert_placements(session, municipality_id, spans)
    insert_open_requests(session, ids, open_requests, today)
    record_milestones(session, today)
    return ids


def record_milestones(session: Session, today: date) -> None:
    """As a running program has them: most plans after 20 days, most training after 50,
    most final reports 14 days after the end (one in twenty of each is missing)."""
    postgres = session.connection().dialect.name == "postgresql"

    def plus(column: str, days: int) -> str:
        return f"{column} + {days}" if postgres else f"date({column}, '+{days} days')"

    for column, base, days, modulo in (
        ("assessment_plan_on", "started_on", 20, 20),
        ("workplace_training_on", "started_on", 50, 19),
        ("final_report_on", "ended_on", 14, 18),
    ):
        session.execute(
            text(
                f"UPDATE placement SET {column} = {plus(base, days)} "
                f"WHERE {base} IS NOT NULL AND id % {modulo} <> 0 "
                f"AND {plus(base, days)} <= :today"
            ),
            {"today": today},
        )
