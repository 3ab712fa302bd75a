"""The notices about a request for a placement (domain.events RequestSent, RequestAccepted,
RequestDeclined, ReferralWithdrawn), queued in the outbox in the transaction that records
the event:

- sent: the request card, with Acceptera / Avböj, in the municipality's channel (Slack,
  Matrix) and by e-mail to each of its contacts who chose e-mail only;
- accepted / declined / withdrawn: the card is updated (who answered and how, no buttons);
- accepted / declined: the investigator is told, in chat or by e-mail as they chose.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from domain.delivery import Transport
from domain.notices import NoticeKind
from domain.typed_events import ReferralWithdrawn, RequestAccepted, RequestDeclined, RequestSent
from notices.outlets import Outlets, tell
from notices.recipients import by_email_only, contacts_of, person
from storage.models import PlacementRequest


def card_key(request_id: int) -> str:
    return f"request:{request_id}:card"


def card_to_municipality(
    session: Session, event: RequestSent, outlets: Outlets, now: datetime
) -> None:
    """The request card in the municipality's channel and room, and by e-mail."""
    request = _request(session, event.request_id)
    if request is None:
        return
    municipality = request.municipality
    card = outlets.request_card(request)
    key = card_key(request.id)
    transports = outlets.transports
    if municipality.slack_channel and Transport.SLACK in transports:
        outlets.to_slack(
            session, key=key, channel=municipality.slack_channel, message=card, now=now
        )
    if municipality.matrix_room and Transport.MATRIX in transports:
        outlets.to_matrix(session, key=key, room=municipality.matrix_room, message=card, now=now)
    if Transport.EMAIL in transports:
        for contact in by_email_only(contacts_of(session, NoticeKind.NEW_REQUEST, municipality.id)):
            outlets.to_email(
                session,
                key=key,
                user_id=contact.user_id,
                address=contact.email,
                message=card,
                now=now,
            )


def answer_on_card(
    session: Session,
    event: RequestAccepted | RequestDeclined | ReferralWithdrawn,
    outlets: Outlets,
    now: datetime,
) -> None:
    """The card shows the answer (who answered and how), without its buttons."""
    request = _request(session, event.request_id)
    if request is None:
        return
    card = outlets.request_card(request)
    key = f"request:{request.id}:answer"
    outlets.update_slack(session, key=key, of_key=card_key(request.id), message=card, now=now)
    if Transport.MATRIX in outlets.transports:
        outlets.to_matrix(
            session, key=key, room="", message=card, now=now, of_key=card_key(request.id)
        )


def answer_to_investigator(
    session: Session, event: RequestAccepted | RequestDeclined, outlets: Outlets, now: datetime
) -> None:
    """The investigator hears the answer, in chat or by e-mail, as they chose."""
    request = _request(session, event.request_id)
    if request is None:
        return
    investigator = person(session, NoticeKind.ANSWER, request.referral.investigator_id)
    if investigator is None:
        return
    notice = outlets.answer_message(request)
    key = f"request:{request.id}:investigator"
    tell(session, outlets, investigator, key=key, message=notice, now=now)


def _request(session: Session, request_id: int | None) -> PlacementRequest | None:
    if not request_id:
        return None
    request = session.get(PlacementRequest, request_id)
    if request is not None:
        session.refresh(request)
    return request
