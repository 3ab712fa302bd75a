"""Registerutdrag (GDPR art. 15): everything held about one person, found by personnummer.

For every referral with that personnummer: the personal data, the referral and its history
(statuses, dates, which municipality), the requests and the placement, and who has viewed
the data and when (from the audit log). Making the extract is itself logged, one row per
referral it shows (one row without a referral when nothing is held).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor, check_makes_register_extracts
from domain.audit import Field, Seen
from domain.event_texts import describe
from domain.personal_identity import normal_form
from domain.program import Program
from services.audit import record_view
from services.history import history_of
from services.program_setup import current_program
from storage import queries
from storage.models import AuditEntry, Participant, Referral, User, personal_identity_digest

EXTRACT_FIELDS = (
    Field.PERSONAL_DETAILS,
    Field.NEEDS,
    Field.DECLINE_COMMENTS,
    Field.ACCESS_LOG,
)


@dataclass(frozen=True)
class Viewing:
    at: datetime
    who: str
    role: object
    municipality: str | None
    seen: Seen
    reason: str | None


@dataclass(frozen=True)
class HeldReferral:
    referral: Referral
    participant: Participant
    history: list[tuple[datetime, object]]
    viewings: list[Viewing]


@dataclass(frozen=True)
class Extract:
    personal_identity_number: str
    made_at: datetime
    referrals: list[HeldReferral]
    program: Program


def make_extract(
    session: Session, *, actor: Actor, personal_identity_number: str, now: datetime, address: str
) -> Extract:
    check_makes_register_extracts(actor)
    number = normal_form(personal_identity_number)
    found = list(
        session.scalars(
            select(Referral)
            .join(Participant, Participant.referral_id == Referral.id)
            .where(Participant.personal_identity_number_digest == personal_identity_digest(number))
            .order_by(Referral.created_at, Referral.id)
        )
    )
    names = {m.id: m.name for m in queries.municipalities(session)}
    people = {u.id: u.name for u in session.scalars(select(User))}
    held = []
    for referral in found:
        views = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.referral_id == referral.id)
            .order_by(AuditEntry.at, AuditEntry.id)
        ).all()
        held.append(
            HeldReferral(
                referral=referral,
                participant=referral.participant,  # type: ignore[arg-type]
                history=[(e.at, describe(e, names)) for e in history_of(session, referral.id)],
                viewings=[
                    Viewing(
                        at=v.at,
                        who=people.get(v.user_id, "–"),
                        role=v.role,
                        municipality=names.get(v.municipality_id) if v.municipality_id else None,
                        seen=Seen(v.action),
                        reason=v.reason,
                    )
                    for v in views
                ],
            )
        )
    shown: list[int | None] = [r.id for r in found] or [None]  # nothing held: one row still
    for referral_id in shown:
        record_view(
            session,
            actor=actor,
            referral_id=referral_id,
            now=now,
            address=address,
            seen=Seen.REGISTER_EXTRACT,
            fields=EXTRACT_FIELDS if referral_id is not None else (),
        )
    return Extract(number, now, held, current_program(session))
