"""Requisition notices: when a basis is submitted, returned, attested or paid, the next
person in the loop hears of it, in chat or by e-mail as each chose (NoticeKind.REQUISITION):

- submitted: the coordinators (to attest);
- returned: the municipality's contacts (to correct and submit again);
- attested: the association (to pay);
- paid: the municipality's contacts.

Municipality, kommunkod, period and amount only, with a link to the basis: an amount and a
period are not personal data, and the return's reason stays on the web site.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from domain.money import Money
from domain.notices import NoticeKind
from domain.periods import Period
from domain.typed_events import (
    RequisitionAttested,
    RequisitionPaid,
    RequisitionReturned,
    RequisitionSubmitted,
)
from notices.outlets import Outlets, tell
from notices.recipients import Recipient, association, contacts_of, coordinators
from notices.requisition_notice import RequisitionNotice, Step
from storage.models import Requisition


def _notice(session: Session, requisition_id: int, step: Step) -> RequisitionNotice | None:
    row = session.get(Requisition, requisition_id)
    if row is None:
        return None
    return RequisitionNotice(
        step,
        row.municipality_name,
        row.municipality_code,
        Period(row.period_first, row.period_last),
        Money(row.total_ore),
        row.paid_on,
    )


def _send(
    session: Session,
    outlets: Outlets,
    to: list[Recipient],
    notice: RequisitionNotice,
    key: str,
    now: datetime,
) -> None:
    """To each person: a direct message in chat, an e-mail, or both, as they chose."""
    message = outlets.requisition_message(notice)
    for person in to:
        tell(session, outlets, person, key=f"{key}:{person.user_id}", message=message, now=now)


def submitted_to_coordinators(
    session: Session, event: RequisitionSubmitted, outlets: Outlets, now: datetime
) -> None:
    notice = _notice(session, event.requisition_id, Step.SUBMITTED)
    if notice is not None:
        to = coordinators(session, NoticeKind.REQUISITION)
        _send(session, outlets, to, notice, f"requisition:{event.requisition_id}:submitted", now)


def returned_to_municipality(
    session: Session, event: RequisitionReturned, outlets: Outlets, now: datetime
) -> None:
    notice = _notice(session, event.requisition_id, Step.RETURNED)
    if notice is not None and event.municipality_id is not None:
        to = contacts_of(session, NoticeKind.REQUISITION, event.municipality_id)
        _send(session, outlets, to, notice, f"requisition:{event.requisition_id}:returned", now)


def attested_to_association(
    session: Session, event: RequisitionAttested, outlets: Outlets, now: datetime
) -> None:
    notice = _notice(session, event.requisition_id, Step.ATTESTED)
    if notice is not None:
        to = association(session, NoticeKind.REQUISITION)
        _send(session, outlets, to, notice, f"requisition:{event.requisition_id}:attested", now)


def paid_to_municipality(
    session: Session, event: RequisitionPaid, outlets: Outlets, now: datetime
) -> None:
    notice = _notice(session, event.requisition_id, Step.PAID)
    if notice is not None and event.municipality_id is not None:
        to = contacts_of(session, NoticeKind.REQUISITION, event.municipality_id)
        _send(session, outlets, to, notice, f"requisition:{event.requisition_id}:paid", now)
