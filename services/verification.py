"""`mm audit verify`: walks the hash chains of the audit log and the history (storage.trail)
and records the result, which the log reviewer's page shows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor, check_reviews_log
from domain.trail import Break, Verification
from storage import trail
from storage.models import TrailVerification


def _as_verification(row: TrailVerification) -> Verification:
    if row.problem is None or row.trail is None or row.row_id is None:
        return Verification(row.at, None)
    return Verification(row.at, Break(row.problem, row.trail, row.row_id))


def verify_trail(session: Session, *, now: datetime) -> Verification:
    """The first break in the audit log's chain, else in the history's; recorded."""
    found = None
    for name in trail.TRAILS:
        found = trail.verify(session, name)
        if found is not None:
            break
    row = TrailVerification(
        at=now,
        trail=found.trail if found else None,
        row_id=found.row_id if found else None,
        problem=found.msgid if found else None,
    )
    session.add(row)
    session.flush()
    return _as_verification(row)


def last_verification(session: Session, *, actor: Actor) -> Verification | None:
    """The latest run, for the log reviewer's page."""
    check_reviews_log(actor)
    row = session.scalars(
        select(TrailVerification).order_by(TrailVerification.id.desc()).limit(1)
    ).first()
    return _as_verification(row) if row is not None else None
