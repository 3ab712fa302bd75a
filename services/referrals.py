"""Use cases for a referral and its requests: file, ask a municipality, answer, withdraw.

Every change goes through the lifecycle table and is written to the event log. Answers are a
compare-and-set on the request row, so of two simultaneous answers exactly one wins.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import actions
from domain.access import (
    Actor,
    ReferralFacts,
    check_answers_for,
    check_files_referrals,
    check_follows_referral,
    check_sees_referral,
)
from domain.actions import Action, CaseFacts, PlacementFacts, check_may_ask
from domain.availability import check_room_to_accept, check_takes_requests
from domain.choices import BenefitType, DeclineReason
from domain.clock import local_date
from domain.errors import NotFound, RuleViolation, checked_text
from domain.lifecycle import (
    CLOSED,
    ReferralStatus,
    RequestAnswer,
    Transition,
    allowed,
    next_status,
)
from domain.meetings import Booking, MeetingKind, checked_booking
from domain.participants import (
    ALREADY_OPEN,
    BENEFIT_REQUIRED,
    MAX_TEXT,
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
    RequestAccepted,
    RequestDeclined,
    RequestSent,
)
from services import history
from services.program_setup import current_program
from services.reference_codes import next_reference_code
from services.reports import places_of
from storage.db import changed_rows
from storage.models import (
    Meeting,
    Municipality,
    Participant,
    Placement,
    PlacementRequest,
    Referral,
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


def get_referral(session: Session, *, actor: Actor, reference_code: str) -> Referral:
    code = (reference_code or "").strip().upper()
    referral = session.scalars(select(Referral).where(Referral.reference_code == code)).first()
    if referral is None:
        raise NotFound(N_("There is no referral with that reference code."))
    check_sees_referral(actor, facts_of(referral))
    return referral


def _municipality(session: Session, municipality_id: int | None, field: str) -> Municipality:
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
        .where(Participant.open_personal_identity_number == personal_identity_number)
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
        _municipality(session, preferred_municipality_id, "preferred_municipality")
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
            open_personal_identity_number=details.personal_identity_number,
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
    municipality = _municipality(session, municipality_id, "municipality")
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
    _municipality(session, municipality_id, "municipality")
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


def get_request(session: Session, request_id: int) -> PlacementRequest:
    request = session.get(PlacementRequest, request_id)
    if request is None:
        raise NotFound(N_("There is no such request."))
    return request


def _close_request(
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


def accept_request(
    session: Session,
    *,
    actor: Actor,
    request_id: int,
    meeting_on: date | None,
    now: datetime,
    over_capacity_confirmed: bool = False,
    meeting_time: time | None = None,
    place: str | None = None,
) -> Placement:
    """The municipality says yes and books the tripartite meeting. Without a free place it
    asks first (OverCapacity); confirmed, the placement is recorded as over capacity. The
    municipality's row is locked while deciding, so of many accepts at once each sees the
    places the others took."""
    request = get_request(session, request_id)
    check_answers_for(actor, request.municipality_id)
    program = current_program(session)
    if meeting_on is None:
        raise RuleViolation(N_("Enter the date of the tripartite meeting."), field="meeting_on")
    if meeting_on < local_date(request.asked_at):
        raise RuleViolation(
            N_("The tripartite meeting cannot be before the request was sent, %(date)s."),
            field="meeting_on",
            date=local_date(request.asked_at),
        )
    if meeting_on > program.end:
        raise RuleViolation(
            N_("The tripartite meeting must be within the program, which ends %(date)s."),
            field="meeting_on",
            date=program.end,
        )
    if meeting_time is not None or place is not None:  # the web site asks for both
        booking: Booking | None = checked_booking(
            meeting_on,
            meeting_time,
            place,
            today=local_date(request.asked_at),
            fields=("meeting_on", "meeting_time", "place"),
        )
    else:
        booking = None  # chat books the date only
    if request.answered_at is not None:
        raise AlreadyAnswered(request)
    check_action(session, actor=actor, referral=request.referral, action=Action.ACCEPT, now=now)
    over_capacity = check_room_to_accept(
        places_of(session, request.municipality_id, lock=True),
        confirmed=over_capacity_confirmed,
    )
    _close_request(session, request, actor, RequestAnswer.ACCEPTED, now)
    move_status(session, request.referral, Transition.ACCEPT)
    placement = Placement(
        referral=request.referral,
        municipality_id=request.municipality_id,
        request_id=request.id,
        meeting_on=meeting_on,
        over_capacity=over_capacity,
    )
    session.add(placement)
    session.flush()
    session.add(
        Meeting(
            referral_id=placement.referral_id,
            kind=MeetingKind.TRIPARTITE,
            on=meeting_on,
            at=booking.at if booking else None,
            place=booking.place if booking else "",
            booked_at=now,
            booked_by_id=actor.user_id,
            moves=0,
        )
    )
    history.record(
        session,
        RequestAccepted(
            referral_id=request.referral_id,
            municipality_id=request.municipality_id,
            request_id=request.id,
            meeting_on=meeting_on,
            over_capacity=over_capacity,
        ),
        at=now,
        actor=actor,
    )
    return placement


def decline_request(
    session: Session,
    *,
    actor: Actor,
    request_id: int,
    reason: DeclineReason | None,
    comment: str,
    now: datetime,
) -> None:
    """The municipality says no, with a reason from the fixed list; FK may ask another."""
    request = get_request(session, request_id)
    check_answers_for(actor, request.municipality_id)
    if not isinstance(reason, DeclineReason):
        raise RuleViolation(N_("Choose a reason for declining."), field="reason")
    comment = checked_text(comment, MAX_TEXT, "comment")
    if reason is DeclineReason.OTHER and not comment:
        raise RuleViolation(
            N_("Describe the reason in the comment when you choose Other reason."),
            field="comment",
        )
    if request.answered_at is not None:
        raise AlreadyAnswered(request)
    check_action(session, actor=actor, referral=request.referral, action=Action.DECLINE, now=now)
    _close_request(session, request, actor, RequestAnswer.DECLINED, now)
    request.decline_reason = reason
    request.decline_comment = comment
    move_status(session, request.referral, Transition.DECLINE)
    history.record(
        session,
        RequestDeclined(
            referral_id=request.referral_id,
            municipality_id=request.municipality_id,
            request_id=request.id,
            reason=reason.value,
        ),
        at=now,
        actor=actor,
    )


def withdraw_referral(session: Session, *, actor: Actor, referral: Referral, now: datetime) -> None:
    """FK withdraws the referral before the start; an open request is closed with it."""
    check_action(session, actor=actor, referral=referral, action=Action.WITHDRAW, now=now)
    _withdraw(session, referral, actor, now)


def _withdraw(session: Session, referral: Referral, actor: Actor, now: datetime) -> None:
    """The referral is withdrawn, and an open request closed with it."""
    open_request = open_request_of(referral)
    if open_request is not None:
        _close_request(session, open_request, actor, RequestAnswer.WITHDRAWN, now)
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
    if not changed:
        raise RuleViolation(N_("Nothing was changed: the details are as before."))
    if "personal_identity_number" in changed:
        check_no_open_referral(session, details.personal_identity_number, besides=referral.id)
        stored.open_personal_identity_number = details.personal_identity_number
    for name in changed:
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


def withdraw_consent(
    session: Session, *, actor: Actor, referral: Referral, withdrawn_on: date | None, now: datetime
) -> None:
    """The participant withdrew consent (FK records it, with the date): an open request is
    withdrawn at once (chat is told "withdrawn", with no reason), the municipality's contacts
    lose sight of the personal data, and no new request can be sent."""
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
