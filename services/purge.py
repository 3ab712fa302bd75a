"""Gallring: the use case that removes personal data past its retention (domain.retention),
and audit rows past the log's own retention.

What goes: the `participant` row (name, personnummer, phone, needs) and the free-text decline
comments of the referral's requests. What stays: the referral (reference code, municipality,
dates, statuses, benefit type, gender code, consent dates), its requests (municipality, dates,
answer, fixed decline reason), placement and extensions (dates, outcome, hence compensable
days), and the event log: every budget, requisition, indicator and Finsam figure is made from
these, so none changes. Each purged referral gets an event; the run gets a summary event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from domain.clock import local_date
from domain.events import EventKind
from domain.lifecycle import ReferralStatus
from domain.retention import RetentionFacts, audit_cutoff, is_due
from domain.typed_events import PersonalDataPurged, PurgeRun
from services import history
from services.program_setup import current_program
from storage.models import (
    AuditEntry,
    AuditPurgePermit,
    Event,
    Participant,
    PlacementRequest,
    Referral,
)

S = ReferralStatus
CLOSING_EVENTS = (EventKind.WITHDRAWN, EventKind.DECLINED)


@dataclass(frozen=True)
class PurgeResult:
    codes: list[str]  # the referrals whose personal data goes (went)
    audit_rows: int  # rows of the audit log past their retention
    dry_run: bool


def _closed_on(session: Session, referral: Referral) -> date | None:
    last = session.scalar(
        select(func.max(Event.at)).where(
            Event.referral_id == referral.id, Event.kind.in_([k.value for k in CLOSING_EVENTS])
        )
    )
    return local_date(last) if last is not None else None


def facts_for_retention(session: Session, referral: Referral) -> RetentionFacts:
    placement = referral.placement
    return RetentionFacts(
        status=referral.status,
        ended_on=placement.ended_on if placement is not None else None,
        closed_on=_closed_on(session, referral)
        if referral.status in {S.WITHDRAWN, S.DECLINED}
        else None,
    )


def due_referrals(session: Session, *, now: datetime) -> list[Referral]:
    program = current_program(session)
    today = local_date(now)
    candidates = session.scalars(
        select(Referral)
        .join(Participant, Participant.referral_id == Referral.id)
        .where(
            Referral.purged_at.is_(None),
            Referral.status.in_([S.ENDED, S.WITHDRAWN, S.DECLINED]),
        )
        .order_by(Referral.reference_code)
    ).all()
    return [r for r in candidates if is_due(facts_for_retention(session, r), program, today)]


def purge(session: Session, *, now: datetime, dry_run: bool = False) -> PurgeResult:
    """Removes what is due (or, with `dry_run`, only says what would go)."""
    program = current_program(session)
    due = due_referrals(session, now=now)
    cutoff = audit_cutoff(program, now)
    old_rows = (
        session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.at < cutoff))
        or 0
    )
    result = PurgeResult([r.reference_code for r in due], int(old_rows), dry_run)
    if dry_run:
        return result
    for referral in due:
        session.execute(delete(Participant).where(Participant.referral_id == referral.id))
        session.execute(
            update(PlacementRequest)
            .where(PlacementRequest.referral_id == referral.id)
            .values(decline_comment="")
        )
        referral.purged_at = now
        history.record(session, PersonalDataPurged(referral_id=referral.id), at=now, actor=None)
    if old_rows:
        # The database lets rows out of the audit log only past a permit's cutoff (0007).
        permit = AuditPurgePermit(before=cutoff)
        session.add(permit)
        session.flush()
        session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff))
        session.delete(permit)
    if due or old_rows:
        history.record(
            session,
            PurgeRun(referrals=len(due), audit_rows=int(old_rows)),
            at=now,
            actor=None,
        )
    session.flush()
    for referral in due:
        session.expire(referral, ["participant"])
    return result
