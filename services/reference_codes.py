"""Reference codes like MM-2026-0042: what chat and e-mail may name a referral by."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import ReferenceCounter


def reference_code(prefix: str, year: int, number: int) -> str:
    """MM-2026-0042: the form of every code the site gives (four digits at least; the
    10 000th referral of a year is MM-2026-10000)."""
    return f"{prefix}-{year}-{number:04d}"


def next_reference_code(session: Session, prefix: str, year: int) -> str:
    """MM-2026-0042: a per-year sequence, safe when two referrals are filed at once."""
    bump = (
        update(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .values(last=ReferenceCounter.last + 1)
        .returning(ReferenceCounter.last)
    )
    number = session.execute(bump).scalar()
    if number is None:
        try:
            with session.begin_nested():
                session.add(ReferenceCounter(year=year, last=1))
            number = 1
        except IntegrityError:
            number = session.execute(bump).scalar_one()
    return reference_code(prefix, year, number)
