"""Use cases for the individual plan and the final documentation (domain.documentation):
the municipality running the placement writes them; those who may see the participant read
them, and every reading is audited. The event log says only that a document was written."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.access import Actor, can_see_personal_data, check_sees_referral
from domain.actions import Action
from domain.audit import Field, Seen
from domain.documentation import DocumentKind, checked_content
from domain.errors import NotFound
from domain.text import N_
from domain.typed_events import DocumentWritten
from services import audit, history
from services.program_setup import current_program
from services.referrals import check_action, facts_of
from storage.models import PlacementDocument, Referral

WRITES = {
    DocumentKind.PLAN: Action.WRITE_PLAN,
    DocumentKind.FINAL_REPORT: Action.WRITE_FINAL_REPORT,
}


SEEN = {DocumentKind.PLAN: Seen.PLAN, DocumentKind.FINAL_REPORT: Seen.FINAL_REPORT}


def read_document(
    session: Session,
    *,
    actor: Actor,
    referral: Referral,
    kind: DocumentKind,
    now: datetime,
    address: str,
    reason: str | None = None,
    asking_reasons: bool = False,
    apart: sessionmaker[Session] | None = None,
) -> dict[str, str] | None:
    """The document's parts (empty when none is written), for those who may see the
    participant; the reading is written to the audit log (`apart`: in its own short unit of
    work, services.audit.writing), with the reason where one is asked (None: a reason must
    be given first, on the referral's page)."""
    check_sees_referral(actor, facts_of(referral))
    if not can_see_personal_data(actor, facts_of(referral)) or referral.participant is None:
        raise NotFound(N_("There is no referral with that reference code."))
    if audit.reason_needed(session, actor=actor, referral=referral, asking=asking_reasons):
        if not reason:
            return None
        reason = audit.checked_reason(reason)
    with audit.writing(session, apart) as into:
        audit.record_view(
            into,
            actor=actor,
            referral_id=referral.id,
            now=now,
            address=address,
            seen=SEEN[kind],
            fields=(Field.DOCUMENTATION,)
            + ((Field.PROTECTED_IDENTITY,) if referral.participant.protected_identity else ()),
            reason=reason or None,
        )
    found = session.scalars(
        select(PlacementDocument).where(
            PlacementDocument.referral_id == referral.id, PlacementDocument.kind == kind
        )
    ).first()
    return dict(found.content) if found else {}


def write_document(
    session: Session,
    *,
    actor: Actor,
    referral: Referral,
    kind: DocumentKind,
    content: dict[str, str | None],
    now: datetime,
) -> None:
    check_action(session, actor=actor, referral=referral, action=WRITES[kind], now=now)
    if referral.participant is None:  # purged
        raise NotFound(N_("There is no referral with that reference code."))
    checked = checked_content(current_program(session).documentation, kind, content)
    found = session.scalars(
        select(PlacementDocument).where(
            PlacementDocument.referral_id == referral.id, PlacementDocument.kind == kind
        )
    ).first()
    if found is None:
        found = PlacementDocument(referral_id=referral.id, kind=kind)
        session.add(found)
    found.content, found.updated_at, found.updated_by_id = checked, now, actor.user_id
    history.record(
        session,
        DocumentWritten(referral_id=referral.id, document=kind.value),
        at=now,
        actor=actor,
    )
