"""The audit log: every time someone is shown a participant's personal data, it is written.

Adapters ask here for the personal data instead of reading it themselves: they get it only
if the actor may see it, and the view is logged in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor, can_see_personal_data
from services.referrals import facts_of
from storage.models import AuditEntry, Participant, Referral

VIEW = "view"
SEARCH = "search"  # a search by personnummer: one entry per referral it found, or one without


def record_view(
    session: Session, *, actor: Actor, referral_id: int | None, now: datetime, action: str = VIEW
) -> None:
    session.add(AuditEntry(at=now, user_id=actor.user_id, referral_id=referral_id, action=action))


def personal_data_for(
    session: Session, *, actor: Actor, referral: Referral, now: datetime, action: str = VIEW
) -> Participant | None:
    """The participant's personal data if the actor may see it (and the view is logged)."""
    if not can_see_personal_data(actor, facts_of(referral)) or referral.participant is None:
        return None
    record_view(session, actor=actor, referral_id=referral.id, now=now, action=action)
    return referral.participant


def views_of(session: Session, referral_id: int) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.referral_id == referral_id).order_by(AuditEntry.id)
        )
    )


def record_search(
    session: Session, *, actor: Actor, referral_ids: list[int], now: datetime
) -> None:
    """A search for a person by personnummer: what it found (also that it found nothing)."""
    found: list[int | None] = [*referral_ids] or [None]
    for referral_id in found:
        session.add(
            AuditEntry(at=now, user_id=actor.user_id, referral_id=referral_id, action=SEARCH)
        )
