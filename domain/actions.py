"""What may be done with one referral now, and by whom: one rule for the page that offers an
action and the use case that carries it out.

`refusal(actor, case, action, …)` says why not (NotAllowed when the action is not the
actor's at all, RuleViolation with the reason when it is theirs but not now), or None.
The page offers exactly the actions without a refusal; every use case asks the same
function before it changes anything, so a form posted by hand can do no more than the page
offered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.access import (
    Actor,
    ReferralFacts,
    check_answers_for,
    check_follows_referral,
    check_runs_placement,
)
from domain.choices import GOAL_OUTCOMES, Outcome
from domain.enrolment import latest_end
from domain.errors import DomainError, RuleViolation
from domain.lifecycle import ACTIVE_AT_MUNICIPALITY, ReferralStatus, Transition, next_status
from domain.program import Program
from domain.text import N_

S = ReferralStatus


class Action(StrEnum):
    WITHDRAW = "withdraw"
    ASK_ANOTHER = "ask_another"
    ACCEPT = "accept"
    DECLINE = "decline"
    MEETING_HELD = "meeting_held"
    ASSESSMENT_PLAN = "assessment_plan"
    WORKPLACE_TRAINING = "workplace_training"
    EXTEND = "extend"
    END = "end"
    FINAL_REPORT = "final_report"
    ALTERNATIVE_PLAN = "alternative_plan"
    EDIT_PARTICIPANT = "edit_participant"
    CORRECT_DATE = "correct_date"
    BOOK_MEETING = "book_meeting"
    CHANGE_MEETING = "change_meeting"
    WRITE_PLAN = "write_plan"
    WRITE_FINAL_REPORT = "write_final_report"
    WITHDRAW_CONSENT = "withdraw_consent"
    MARK_PROTECTED = "mark_protected"


# Försäkringskassan's side of a referral; the others are the municipality's.
FK_ACTIONS = frozenset(
    {
        Action.WITHDRAW,
        Action.ASK_ANOTHER,
        Action.ALTERNATIVE_PLAN,
        Action.EDIT_PARTICIPANT,
        Action.WITHDRAW_CONSENT,
        Action.MARK_PROTECTED,
    }
)
# Until a municipality has said yes, FK may still correct what it sent.
BEFORE_ACCEPTANCE = frozenset({S.DRAFT, S.SUBMITTED, S.REQUESTED, S.DECLINED})
CONSENT_WITHDRAWN = N_(
    "The participant has withdrawn consent: nothing more can be shared with a municipality."
)
ANSWERS = frozenset({Action.ACCEPT, Action.DECLINE})


@dataclass(frozen=True)
class PlacementFacts:
    """What the rules need to know about a placement: its municipality and its dates."""

    municipality_id: int
    started_on: date | None = None
    planned_end_on: date | None = None
    ended_on: date | None = None
    outcome: Outcome | None = None
    assessment_plan_on: date | None = None
    workplace_training_on: date | None = None
    final_report_on: date | None = None
    alternative_plan_on: date | None = None


@dataclass(frozen=True)
class CaseFacts:
    """One referral as the action rules see it."""

    status: ReferralStatus
    access: ReferralFacts
    # The open request's municipality, else the latest one asked (None before any request).
    current_municipality_id: int | None
    placement: PlacementFacts | None
    # Skyddade personuppgifter, and whether personal data is held at all (not purged).
    protected_identity: bool = False
    personal_data_held: bool = True


RUNNING_ONLY = N_("This can only be recorded while the placement is running.")


def _whose(actor: Actor, case: CaseFacts, action: Action) -> None:
    """Raises when the action is not the actor's at all, whatever the referral's state."""
    if action in FK_ACTIONS:
        check_follows_referral(actor, case.access)
    elif action in ANSWERS or case.placement is None:
        check_answers_for(actor, case.current_municipality_id)
    else:
        check_runs_placement(actor, case.placement.municipality_id)


def _placement(case: CaseFacts, status: ReferralStatus, msgid: str) -> PlacementFacts:
    if case.status is not status or case.placement is None:
        raise RuleViolation(msgid)
    return case.placement


def _not_yet(value: date | None, msgid: str) -> None:
    if value is not None:
        raise RuleViolation(msgid, date=value)


def _withdraw(case: CaseFacts, today: date, program: Program) -> None:
    next_status(case.status, Transition.WITHDRAW)


def _ask_another(case: CaseFacts, today: date, program: Program) -> None:
    if case.access.consent_withdrawn:
        raise RuleViolation(CONSENT_WITHDRAWN)
    # A submitted referral that no municipality has been asked about yet is asked the same
    # way (the lifecycle allows it; the walk of every action × state found it unoffered).
    if case.status not in (S.DECLINED, S.SUBMITTED):
        raise RuleViolation(N_("Another municipality can be asked after a decline."))
    program.check_intake_open(today)


def _answer(case: CaseFacts, today: date, program: Program) -> None:
    if case.status is not S.REQUESTED or case.access.open_request_municipality_id is None:
        raise RuleViolation(N_("This request has already been answered or withdrawn."))


def _meeting_held(case: CaseFacts, today: date, program: Program) -> None:
    next_status(case.status, Transition.START)


def _assessment_plan(case: CaseFacts, today: date, program: Program) -> None:
    placement = _placement(case, S.STARTED, RUNNING_ONLY)
    _not_yet(
        placement.assessment_plan_on,
        N_("The assessment and individual plan are already recorded as done on %(date)s."),
    )


def _workplace_training(case: CaseFacts, today: date, program: Program) -> None:
    placement = _placement(case, S.STARTED, RUNNING_ONLY)
    _not_yet(
        placement.workplace_training_on,
        N_("The workplace training is already recorded as started on %(date)s."),
    )


def _extend(case: CaseFacts, today: date, program: Program) -> None:
    placement = _placement(case, S.STARTED, RUNNING_ONLY)
    assert placement.started_on is not None and placement.planned_end_on is not None
    limit = latest_end(program, placement.started_on)
    if placement.planned_end_on >= limit:
        raise RuleViolation(
            N_(
                "The placement already runs until the latest possible end, %(date)s: it cannot "
                "be extended further."
            ),
            date=limit,
        )


def _end(case: CaseFacts, today: date, program: Program) -> None:
    next_status(case.status, Transition.END)


def _final_report(case: CaseFacts, today: date, program: Program) -> None:
    placement = _placement(
        case, S.ENDED, N_("The final report is recorded after the placement has ended.")
    )
    _not_yet(placement.final_report_on, N_("The final report is already recorded (%(date)s)."))


def _alternative_plan(case: CaseFacts, today: date, program: Program) -> None:
    placement = case.placement
    if case.status is not S.ENDED or placement is None or placement.outcome in GOAL_OUTCOMES:
        raise RuleViolation(
            N_(
                "An alternative plan is recorded for a participant who ended without work, "
                "studies or rehabilitation collaboration."
            )
        )
    _not_yet(
        placement.alternative_plan_on,
        N_("The alternative plan is already recorded (%(date)s)."),
    )


def _edit_participant(case: CaseFacts, today: date, program: Program) -> None:
    if case.status not in BEFORE_ACCEPTANCE:
        raise RuleViolation(
            N_(
                "The participant's details can be corrected until a municipality has accepted; "
                "after that, ask the municipality."
            )
        )


def _mark_protected(case: CaseFacts, today: date, program: Program) -> None:
    """After acceptance FK can no longer correct the details, but can still mark the
    participant as protected (the name and phone are then removed). Before it, the
    correction form marks and unmarks."""
    if case.status in BEFORE_ACCEPTANCE or case.status is S.WITHDRAWN:
        raise RuleViolation(
            N_(
                "Until a municipality has accepted, mark the participant when correcting the "
                "details."
            )
        )
    if case.protected_identity or not case.personal_data_held:
        raise RuleViolation(
            N_("The participant is already marked as having protected personal data.")
        )


def _correct_date(case: CaseFacts, today: date, program: Program) -> None:
    if case.status not in (S.STARTED, S.ENDED) or case.placement is None:
        raise RuleViolation(N_("Dates can be corrected once the placement has started."))


def _book_meeting(case: CaseFacts, today: date, program: Program) -> None:
    _placement(case, S.STARTED, N_("Follow-up meetings are booked while the placement runs."))


def _change_meeting(case: CaseFacts, today: date, program: Program) -> None:
    """Move a meeting, or record a follow-up as held (which one: services.meetings)."""
    if case.status not in ACTIVE_AT_MUNICIPALITY or case.placement is None:
        raise RuleViolation(N_("Meetings are changed while the placement is accepted or running."))


def _no_personal_data_after_withdrawal(case: CaseFacts) -> None:
    # The plan and the final documentation are personal data, which the municipality no
    # longer sees once consent is withdrawn.
    if case.access.consent_withdrawn:
        raise RuleViolation(CONSENT_WITHDRAWN)


def _write_plan(case: CaseFacts, today: date, program: Program) -> None:
    _no_personal_data_after_withdrawal(case)
    if case.status not in (S.STARTED, S.ENDED) or case.placement is None:
        raise RuleViolation(N_("The individual plan is written once the placement has started."))


def _write_final_report(case: CaseFacts, today: date, program: Program) -> None:
    _no_personal_data_after_withdrawal(case)
    _placement(
        case, S.ENDED, N_("The final documentation is written after the placement has ended.")
    )


def _withdraw_consent(case: CaseFacts, today: date, program: Program) -> None:
    if case.access.consent_withdrawn:
        raise RuleViolation(N_("The participant's withdrawal of consent is already recorded."))
    if case.status in {S.WITHDRAWN, S.DRAFT}:
        raise RuleViolation(
            N_("A withdrawn referral shares nothing more: there is no consent to withdraw.")
        )


_NOW: dict[Action, Callable[[CaseFacts, date, Program], None]] = {
    Action.WITHDRAW: _withdraw,
    Action.ASK_ANOTHER: _ask_another,
    Action.ACCEPT: _answer,
    Action.DECLINE: _answer,
    Action.MEETING_HELD: _meeting_held,
    Action.ASSESSMENT_PLAN: _assessment_plan,
    Action.WORKPLACE_TRAINING: _workplace_training,
    Action.EXTEND: _extend,
    Action.END: _end,
    Action.FINAL_REPORT: _final_report,
    Action.ALTERNATIVE_PLAN: _alternative_plan,
    Action.EDIT_PARTICIPANT: _edit_participant,
    Action.CORRECT_DATE: _correct_date,
    Action.BOOK_MEETING: _book_meeting,
    Action.CHANGE_MEETING: _change_meeting,
    Action.WRITE_PLAN: _write_plan,
    Action.WRITE_FINAL_REPORT: _write_final_report,
    Action.WITHDRAW_CONSENT: _withdraw_consent,
    Action.MARK_PROTECTED: _mark_protected,
}


def refusal(
    actor: Actor, case: CaseFacts, action: Action, *, today: date, program: Program
) -> DomainError | None:
    """Why the actor may not take the action now, or None when they may."""
    try:
        check_action(actor, case, action, today=today, program=program)
    except DomainError as error:
        return error
    return None


def check_action(
    actor: Actor, case: CaseFacts, action: Action, *, today: date, program: Program
) -> None:
    """Raises NotFound/NotAllowed when the action is not the actor's, RuleViolation when it
    is theirs but cannot be taken in the referral's present state."""
    _whose(actor, case, action)
    _NOW[action](case, today, program)


def may_take(actor: Actor, case: CaseFacts, action: Action) -> bool:
    """Whether this kind of action on this referral is the actor's at all, whatever its
    state (whether it can be done now is for `check_action` to say, with its reason)."""
    try:
        _whose(actor, case, action)
    except DomainError:
        return False
    return True


def actions_for(actor: Actor, case: CaseFacts, *, today: date, program: Program) -> set[Action]:
    """What this viewer may do with this referral now: what the page offers."""
    return {a for a in Action if refusal(actor, case, a, today=today, program=program) is None}


def check_may_ask(municipality_id: int, facts: ReferralFacts) -> None:
    """A municipality is asked about a referral once: after its decline, ask another."""
    if municipality_id in facts.asked_municipality_ids:
        raise RuleViolation(
            N_(
                "That municipality has already been asked about this referral. Choose a "
                "municipality that has not been asked."
            ),
            field="municipality",
        )
