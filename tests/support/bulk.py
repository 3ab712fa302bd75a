"""Many placements at once, with their referrals and requests, by plain INSERTs: for tests
and benchmarks of the arithmetic at volume (the use cases are tested elsewhere)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from domain.choices import BenefitType, Role
from domain.lifecycle import ReferralStatus
from storage.models import Placement, PlacementRequest, Referral, User
from tests.support.clock import moment


def insert_placements(
    session: Session, municipality_id: int, spans: list[tuple[date, date, bool]]
) -> None:
    """One started (or ended) placement per (start, end, ended) span."""
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
    first_id = (session.scalar(select(Referral.id).order_by(Referral.id.desc())) or 0) + 1
    referrals: list[dict[str, Any]] = []
    requests: list[dict[str, Any]] = []
    placements: list[dict[str, Any]] = []
    for offset, (start, end, ended) in enumerate(spans):
        n = first_id + offset
        asked = moment(start)
        referrals.append(
            dict(
                id=n,
                reference_code=f"BULK-{n:07d}",
                investigator_id=user_id,
                status=ReferralStatus.ENDED if ended else ReferralStatus.STARTED,
                benefit_type=BenefitType.SICKNESS_BENEFIT,
                consent_given=True,
                consent_on=start,
                created_at=asked,
                current_municipality_id=municipality_id,
            )
        )
        requests.append(
            dict(
                id=n,
                referral_id=n,
                municipality_id=municipality_id,
                asked_at=asked,
                asked_by_id=user_id,
                answered_at=asked,
                answer="accepted",
                decline_comment="",
            )
        )
        placements.append(
            dict(
                id=n,
                referral_id=n,
                municipality_id=municipality_id,
                request_id=n,
                meeting_on=start,
                started_on=start,
                planned_end_on=end,
                ended_on=end if ended else None,
            )
        )
    for model, rows in (
        (Referral, referrals),
        (PlacementRequest, requests),
        (Placement, placements),
    ):
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(model), rows[chunk : chunk + 5000])
    if session.connection().dialect.name == "postgresql":
        # Explicit ids do not move PostgreSQL's sequences; later inserts must not collide.
        for table in ("referral", "placement_request", "placement"):
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
