"""A referral's state as the rules see it, the checks every use case on it makes first, and
the compare-and-set moves of its status and of its open request (shared by services.referrals
and services.answers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer, joinedload

from domain import actions
from domain.access import Actor, ReferralFacts, check_sees_referral
from domain.actions import Action, CaseFacts, PlacementFacts
from domain.clock import local_date
from domain.errors import NotFound, RuleViolation
from domain.lifecycle import CLOSED, ReferralStatus, RequestAnswer, Transition, next_status
from domain.participants import ALREADY_OPEN
from domain.text import N_
from services.program_setup import current_program
from storage.db import changed_rows
from storage.models import (
    Municipality,
    Participant,
    Placement,
    PlacementRequest,
    Referral,
    personal_identity_digest,
)


def facts_of(referral: Referral) -> ReferralFacts:
    open_request = open_request_of(referral)
    return ReferralFacts(
        investigator_id=referral.investigator_id,
        open_request_municipality_id=open_request.municipality_id if open_request else None,
        placement_municipality_id=(
            referral.placement.municipality_id
            if referral.placement and referral.status is not ReferralStatus.WITHDRAWN
            else None
        ),
        asked_municipality_ids=frozenset(r.municipality_id for r in referral.requests),
        consent_withdrawn=referral.consent_withdrawn_on is not None,
    )


def case_of(referral: Referral) -> CaseFacts:
    """The referral as the action rules (domain.actions) see it."""
    request = current_request(referral)
    placement = referral.placement
    return CaseFacts(
        status=referral.status,
        access=facts_of(referral),
        current_municipality_id=request.municipality_id if request else None,
        placement=(
            PlacementFacts(
                municipality_id=placement.municipality_id,
                started_on=placement.started_on,
                planned_end_on=placement.planned_end_on,
                ended_on=placement.ended_on,
                outcome=placement.outcome,
                assessment_plan_on=placement.assessment_plan_on,
                workplace_training_on=placement.workplace_training_on,
                final_report_on=placement.final_report_on,
                alternative_plan_on=placement.alternative_plan_on,
            )
            if placement is not None and referral.status is not ReferralStatus.WITHDRAWN
            else None
        ),
        protected_identity=bool(referral.participant and referral.participant.protected_identity),
        personal_data_held=referral.participant is not None,
    )


def check_action(
    session: Session, *, actor: Actor, referral: Referral, action: Action, now: datetime
) -> None:
    """The rule the page used to offer the action (domain.actions), checked again here."""
    actions.check_action(
        actor,
        case_of(referral),
        action,
        today=local_date(now),
        program=current_program(session),
    )


def current_request(referral: Referral) -> PlacementRequest | None:
    """The open request, else the one that became the placement, else the latest asked."""
    open_request = open_request_of(referral)
    if open_request is not None:
        return open_request
    if referral.placement is not None:
        return next(r for r in referral.requests if r.id == referral.placement.request_id)
    return referral.requests[-1] if referral.requests else None


def open_request_of(referral: Referral) -> PlacementRequest | None:
    return next((r for r in referral.requests if r.answered_at is None), None)


# A referral's requests, placement, their municipalities and extensions, read with it in one
# statement (each is a few rows): for a caller that shows all of them (bot status). Chat shows
# no personal data, so a decline's comment is neither read nor decrypted: reading it raises.
_RELATED = (
    joinedload(Referral.requests).options(
        joinedload(PlacementRequest.municipality),
        defer(PlacementRequest.decline_comment, raiseload=True),
    ),
    joinedload(Referral.placement).options(
        joinedload(Placement.municipality), joinedload(Placement.extensions)
    ),
)


def get_referral(
    session: Session, *, actor: Actor, reference_code: str, related: bool = False
) -> Referral:
    referral = find_referral(session, reference_code, related=related)
    if referral is None:
        raise NotFound(N_("There is no referral with that reference code."))
    check_sees_referral(actor, facts_of(referral))
    return referral


def find_referral(
    session: Session, reference_code: str, *, related: bool = False
) -> Referral | None:
    """The referral with this code as typed (any case, spaces around), whoever asks: a caller
    that does not check who may see it is get_referral."""
    code = (reference_code or "").strip().upper()
    query = select(Referral).where(Referral.reference_code == code)
    if related:
        query = query.options(*_RELATED)
    return session.scalars(query).unique().first()


def checked_municipality(session: Session, municipality_id: int | None, field: str) -> Municipality:
    municipality = session.get(Municipality, municipality_id) if municipality_id else None
    if municipality is None:
        raise RuleViolation(N_("Choose one of the municipalities in the list."), field=field)
    return municipality


def move_status(session: Session, referral: Referral, transition: Transition) -> None:
    """Changes the status only if nobody else changed it first."""
    new = next_status(referral.status, transition)
    changed = changed_rows(
        session,
        update(Referral)
        .where(Referral.id == referral.id, Referral.status == referral.status)
        .values(status=new)
        .execution_options(synchronize_session="fetch"),
    )
    if changed != 1:
        raise RuleViolation(
            N_("The referral was changed by someone else just now. Reload and try again.")
        )
    if new in CLOSED:  # the person may be referred again
        session.execute(
            update(Participant)
            .where(Participant.referral_id == referral.id)
            .values(open_personal_identity_number=None)
            .execution_options(synchronize_session="fetch")
        )


def check_no_open_referral(
    session: Session, personal_identity_number: str, *, besides: int | None = None
) -> None:
    """One open referral per person: refused with the open one's code (never its content)."""
    query = (
        select(Referral.reference_code)
        .join(Participant, Participant.referral_id == Referral.id)
        .where(
            Participant.open_personal_identity_number
            == personal_identity_digest(personal_identity_number)
        )
    )
    if besides is not None:
        query = query.where(Referral.id != besides)
    code = session.scalar(query)
    if code is not None:
        raise RuleViolation(ALREADY_OPEN, field="personal_identity_number", code=code)


def add_open_referral(session: Session, referral: Referral) -> None:
    """Adds a new referral; two filed at once for one person: the database keeps one."""
    assert referral.participant is not None
    number = referral.participant.personal_identity_number
    try:
        with session.begin_nested():
            session.add(referral)
            session.flush()
    except IntegrityError:
        check_no_open_referral(session, number)
        raise


def get_request(session: Session, request_id: int) -> PlacementRequest:
    request = session.get(PlacementRequest, request_id)
    if request is None:
        raise NotFound(N_("There is no such request."))
    return request


def close_request(
    session: Session,
    request: PlacementRequest,
    actor: Actor,
    answer: RequestAnswer,
    now: datetime,
) -> None:
    changed = changed_rows(
        session,
        update(PlacementRequest)
        .where(PlacementRequest.id == request.id, PlacementRequest.answered_at.is_(None))
        .values(answered_at=now, answered_by_id=actor.user_id, answer=answer)
        .execution_options(synchronize_session="fetch"),
    )
    if changed != 1:
        raise AlreadyAnswered(request)


class AlreadyAnswered(RuleViolation):
    """Someone else answered (or FK withdrew) first; says who, when known."""

    def __init__(self, request: PlacementRequest) -> None:
        self.request = request
        super().__init__(N_("This request has already been answered or withdrawn."))
