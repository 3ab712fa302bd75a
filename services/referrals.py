"""Use cases for a referral: file it, ask a municipality, withdraw it, correct or protect its
participant. Answering a request lives in services.answers, the shared state checks in
services.referral_state; both are re-exported here for callers.

Every change goes through the lifecycle table and is written to the event log.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.access import Actor, check_files_referrals, check_follows_referral
from domain.actions import Action, check_may_ask
from domain.availability import check_takes_requests
from domain.choices import BenefitType
from domain.clock import local_date
from domain.errors import NotFound, RuleViolation
from domain.lifecycle import ReferralStatus, RequestAnswer, Transition, allowed
from domain.participants import (
    BENEFIT_REQUIRED,
    ParticipantDetails,
    check_consent,
    checked_participant,
)
from domain.personal_identity import legal_gender
from domain.text import N_
from domain.typed_events import (
    ConsentWithdrawn,
    ParticipantCorrected,
    ReferralCreated,
    ReferralSubmitted,
    ReferralWithdrawn,
    RequestSent,
)
from services import history

# Callers name these through services.referrals (the use cases of a referral); they live in
# the modules of their own use case.
from services.answers import accept_request as accept_request
from services.answers import decline_request as decline_request
from services.program_setup import current_program
from services.reference_codes import next_reference_code
from services.referral_state import AlreadyAnswered as AlreadyAnswered
from services.referral_state import add_open_referral as add_open_referral
from services.referral_state import case_of as case_of
from services.referral_state import check_action as check_action
from services.referral_state import check_no_open_referral as check_no_open_referral
from services.referral_state import checked_municipality, close_request
from services.referral_state import current_request as current_request
from services.referral_state import facts_of as facts_of
from services.referral_state import find_referral as find_referral
from services.referral_state import get_referral as get_referral
from services.referral_state import get_request as get_request
from services.referral_state import move_status as move_status
from services.referral_state import open_request_of as open_request_of
from services.reports import places_of
from storage import queries
from storage.models import Participant, PlacementRequest, Referral, personal_identity_digest


def create_referral(
    session: Session,
    *,
    actor: Actor,
    participant: ParticipantDetails,
    benefit_type: BenefitType,
    preferred_municipality_id: int | None,
    consent_given: bool,
    consent_on: date | None,
    now: datetime,
) -> Referral:
    """A draft referral with its reference code; personal data in its own row."""
    check_files_referrals(actor)
    today = local_date(now)
    program = current_program(session)
    details = checked_participant(participant, today=today)
    if not isinstance(benefit_type, BenefitType):
        raise RuleViolation(BENEFIT_REQUIRED, field="benefit_type")
    if preferred_municipality_id is not None:
        checked_municipality(session, preferred_municipality_id, "preferred_municipality")
    check_consent(consent_given, consent_on, today)
    check_no_open_referral(session, details.personal_identity_number)
    referral = Referral(
        reference_code=next_reference_code(session, program.reference_prefix, today.year),
        investigator_id=actor.user_id,
        status=ReferralStatus.DRAFT,
        benefit_type=benefit_type,
        preferred_municipality_id=preferred_municipality_id,
        consent_given=True,
        consent_on=consent_on,
        created_at=now,
        # Kept after the purge, for the Finsam follow-up's counts by gender.
        gender=legal_gender(details.personal_identity_number),
        participant=Participant(
            name=details.name,
            personal_identity_number=details.personal_identity_number,
            phone=details.phone,
            needs=details.needs,
            open_personal_identity_number=personal_identity_digest(
                details.personal_identity_number
            ),
            protected_identity=details.protected,
        ),
    )
    add_open_referral(session, referral)
    history.record(
        session,
        ReferralCreated(referral_id=referral.id, code=referral.reference_code),
        at=now,
        actor=actor,
    )
    return referral


def submit_referral(session: Session, *, actor: Actor, referral: Referral, now: datetime) -> None:
    check_follows_referral(actor, facts_of(referral))
    today = local_date(now)
    current_program(session).check_intake_open(today)
    check_consent(referral.consent_given, referral.consent_on, today)
    move_status(session, referral, Transition.SUBMIT)
    referral.submitted_at = now
    history.record(session, ReferralSubmitted(referral_id=referral.id), at=now, actor=actor)


def request_placement(
    session: Session,
    *,
    actor: Actor,
    referral: Referral,
    municipality_id: int | None,
    now: datetime,
) -> PlacementRequest:
    """Asks one municipality. Only one open request per referral, and only with consent."""
    check_follows_referral(actor, facts_of(referral))
    current_program(session).check_intake_open(local_date(now))
    check_consent(referral.consent_given, referral.consent_on, local_date(now))
    municipality = checked_municipality(session, municipality_id, "municipality")
    if open_request_of(referral) is not None:
        raise RuleViolation(
            N_("The referral already has an open request; wait for the answer or withdraw it."),
            field="municipality",
        )
    check_may_ask(municipality.id, facts_of(referral))
    check_takes_requests(places_of(session, municipality.id))
    move_status(session, referral, Transition.REQUEST)
    referral.current_municipality_id = municipality.id
    request = PlacementRequest(
        referral=referral, municipality_id=municipality.id, asked_at=now, asked_by_id=actor.user_id
    )
    session.add(request)
    session.flush()
    history.record(
        session,
        RequestSent(
            referral_id=referral.id, municipality_id=municipality.id, request_id=request.id
        ),
        at=now,
        actor=actor,
    )
    return request


def file_referral(
    session: Session,
    *,
    actor: Actor,
    participant: ParticipantDetails,
    benefit_type: BenefitType,
    preferred_municipality_id: int | None,
    consent_given: bool,
    consent_on: date | None,
    municipality_id: int | None,
    now: datetime,
) -> Referral:
    """The investigator's form in one step: create, submit, and ask the chosen municipality."""
    # Checked first so that a wrong choice is reported with the other field errors.
    checked_municipality(session, municipality_id, "municipality")
    referral = create_referral(
        session,
        actor=actor,
        participant=participant,
        benefit_type=benefit_type,
        preferred_municipality_id=preferred_municipality_id,
        consent_given=consent_given,
        consent_on=consent_on,
        now=now,
    )
    submit_referral(session, actor=actor, referral=referral, now=now)
    request_placement(
        session, actor=actor, referral=referral, municipality_id=municipality_id, now=now
    )
    return referral


def withdraw_referral(session: Session, *, actor: Actor, referral: Referral, now: datetime) -> None:
    """FK withdraws the referral before the start; an open request is closed with it."""
    check_action(session, actor=actor, referral=referral, action=Action.WITHDRAW, now=now)
    _withdraw(session, referral, actor, now)


def _withdraw(session: Session, referral: Referral, actor: Actor, now: datetime) -> None:
    """The referral is withdrawn, and an open request closed with it."""
    open_request = open_request_of(referral)
    if open_request is not None:
        close_request(session, open_request, actor, RequestAnswer.WITHDRAWN, now)
    move_status(session, referral, Transition.WITHDRAW)
    history.record(
        session,
        ReferralWithdrawn(
            referral_id=referral.id,
            request_id=open_request.id if open_request is not None else None,
        ),
        at=now,
        actor=actor,
    )


def correct_participant(
    session: Session,
    *,
    actor: Actor,
    referral: Referral,
    participant: ParticipantDetails,
    now: datetime,
) -> list[str]:
    """FK corrects what it sent about the participant, until a municipality has accepted.
    The history says which details changed; the old values are not kept anywhere."""
    check_action(session, actor=actor, referral=referral, action=Action.EDIT_PARTICIPANT, now=now)
    details = checked_participant(participant, today=local_date(now))
    stored = referral.participant
    if stored is None:  # purged: nothing to correct
        raise NotFound(N_("There is no referral with that reference code."))
    changed = [
        name
        for name in ("name", "personal_identity_number", "phone", "needs")
        if getattr(details, name) != getattr(stored, name)
    ]
    if details.protected != stored.protected_identity:  # marked or unmarked: FK's call
        changed.insert(0, "protected_identity")
        stored.protected_identity = details.protected
    if not changed:
        raise RuleViolation(N_("Nothing was changed: the details are as before."))
    if "personal_identity_number" in changed:
        check_no_open_referral(session, details.personal_identity_number, besides=referral.id)
        stored.open_personal_identity_number = personal_identity_digest(
            details.personal_identity_number
        )
        # The kept gender follows the corrected number: Finsam counts it after the purge.
        referral.gender = legal_gender(details.personal_identity_number)
    for name in changed:
        if name != "protected_identity":
            setattr(stored, name, getattr(details, name))
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same person filed by someone else at this very moment
        check_no_open_referral(session, details.personal_identity_number, besides=referral.id)
        raise
    history.record(
        session,
        ParticipantCorrected(referral_id=referral.id, fields=tuple(changed)),
        at=now,
        actor=actor,
    )
    return changed


def mark_protected(session: Session, *, actor: Actor, referral: Referral, now: datetime) -> None:
    """FK learns after acceptance that the participant has skyddade personuppgifter: the name
    and phone are removed at once (never kept anywhere), and the history says so by field
    name only."""
    check_action(session, actor=actor, referral=referral, action=Action.MARK_PROTECTED, now=now)
    stored = referral.participant
    assert stored is not None  # the rule refuses a purged referral
    stored.protected_identity, stored.name, stored.phone = True, "", ""
    history.record(
        session,
        ParticipantCorrected(referral_id=referral.id, fields=("protected_identity",)),
        at=now,
        actor=actor,
    )


def withdraw_consent(
    session: Session, *, actor: Actor, referral: Referral, withdrawn_on: date | None, now: datetime
) -> None:
    """The participant withdrew consent (FK records it, with the date): an open request is
    withdrawn at once (chat is told "withdrawn", with no reason), the municipality's contacts
    lose sight of the personal data, and no new request can be sent."""
    queries.lock_referral(session, referral.id)  # the second of two at once sees the first
    check_action(session, actor=actor, referral=referral, action=Action.WITHDRAW_CONSENT, now=now)
    if withdrawn_on is None:
        raise RuleViolation(
            N_("Enter the date the participant withdrew consent."), field="withdrawn_on"
        )
    if withdrawn_on > local_date(now):
        raise RuleViolation(
            N_("The date of the withdrawal cannot be in the future."), field="withdrawn_on"
        )
    if referral.consent_on is not None and withdrawn_on < referral.consent_on:
        raise RuleViolation(
            N_("The withdrawal cannot be before the consent was given (%(date)s)."),
            field="withdrawn_on",
            date=referral.consent_on,
        )
    referral.consent_withdrawn_on = withdrawn_on
    history.record(
        session,
        ConsentWithdrawn(referral_id=referral.id, withdrawn_on=withdrawn_on),
        at=now,
        actor=actor,
    )
    if Transition.WITHDRAW in allowed(referral.status):
        _withdraw(session, referral, actor, now)
