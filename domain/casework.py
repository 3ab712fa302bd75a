"""Casework views of referrals: who sees which list, and what each person may do next.

Read-only companions to `referrals` and `placements` for the adapters: the lists of the
investigator, the coordinator and a municipality's contacts (codes, statuses, municipalities
and dates: never personal data), and the actions a viewer may take on one referral now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from domain.access import Actor, check_answers_for, check_follows_referral
from domain.availability import Availability, suggest_municipality
from domain.choices import GOAL_OUTCOMES, Role
from domain.enrolment import latest_end
from domain.errors import DomainError, NotAllowed, NotFound
from domain.lifecycle import ReferralStatus, Transition, allowed
from domain.program import Program
from domain.referrals import facts_of, open_request_of
from domain.text import N_
from storage.models import Placement, PlacementRequest, Referral

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


@dataclass(frozen=True)
class ReferralRow:
    """One line of a list: nothing in it is personal data."""

    reference_code: str
    status: ReferralStatus
    municipality_id: int | None
    municipality: str | None
    filed_at: datetime
    asked_at: datetime | None
    meeting_on: date | None
    started_on: date | None
    planned_end_on: date | None
    final_report_on: date | None


def current_request(referral: Referral) -> PlacementRequest | None:
    """The open request, else the one that became the placement, else the latest asked."""
    open_request = open_request_of(referral)
    if open_request is not None:
        return open_request
    if referral.placement is not None:
        return next(r for r in referral.requests if r.id == referral.placement.request_id)
    return referral.requests[-1] if referral.requests else None


def row_of(referral: Referral) -> ReferralRow:
    request = current_request(referral)
    placement = referral.placement
    return ReferralRow(
        reference_code=referral.reference_code,
        status=referral.status,
        municipality_id=request.municipality_id if request else None,
        municipality=request.municipality.name if request else None,
        filed_at=referral.created_at,
        asked_at=request.asked_at if request else None,
        meeting_on=placement.meeting_on if placement else None,
        started_on=placement.started_on if placement else None,
        planned_end_on=placement.planned_end_on if placement else None,
        final_report_on=placement.final_report_on if placement else None,
    )


def _loaded() -> object:
    return select(Referral).options(
        selectinload(Referral.requests).selectinload(PlacementRequest.municipality),
        selectinload(Referral.placement),
    )


def referrals_for(
    session: Session,
    *,
    actor: Actor,
    status: ReferralStatus | None = None,
    municipality_id: int | None = None,
) -> list[ReferralRow]:
    """An investigator's own referrals; every referral for the coordinator. Newest first."""
    query = _loaded().order_by(Referral.created_at.desc(), Referral.id.desc())
    if actor.role is Role.INVESTIGATOR:
        query = query.where(Referral.investigator_id == actor.user_id)
    elif actor.role is not Role.COORDINATOR:
        raise NotAllowed(N_("Only Försäkringskassan can do this with a referral."))
    if status is not None:
        query = query.where(Referral.status == status)
    rows = [row_of(r) for r in session.scalars(query)]
    if municipality_id is not None:
        rows = [r for r in rows if r.municipality_id == municipality_id]
    return rows


@dataclass(frozen=True)
class Inbox:
    open_requests: list[ReferralRow]
    placements: list[ReferralRow]


def inbox_for(session: Session, *, actor: Actor) -> Inbox:
    """A municipality's open requests, and its placements that still need something done:
    accepted, running, or ended without the final report."""
    if not actor.is_contact or actor.municipality_id is None:
        raise NotAllowed(N_("Only the contacts of the municipality that was asked can do this."))
    mine = actor.municipality_id
    asked = _loaded().where(
        Referral.requests.any(
            (PlacementRequest.municipality_id == mine) & PlacementRequest.answered_at.is_(None)
        )
    )
    running = _loaded().where(
        Referral.placement.has(Placement.municipality_id == mine),
        or_(
            Referral.status.in_([S.ACCEPTED, S.STARTED]),
            (Referral.status == S.ENDED)
            & Referral.placement.has(Placement.final_report_on.is_(None)),
        ),
    )
    open_rows = sorted((row_of(r) for r in session.scalars(asked)), key=lambda r: r.asked_at)
    placement_rows = sorted(
        (row_of(r) for r in session.scalars(running)),
        key=lambda r: (r.started_on or r.meeting_on or date.max, r.reference_code),
    )
    return Inbox(open_rows, placement_rows)


def _passes(check: object, *args: object) -> bool:
    try:
        check(*args)  # type: ignore[operator]
    except DomainError:
        return False
    return True


def actions_for(actor: Actor, referral: Referral, *, today: date, program: Program) -> set[Action]:
    """What this viewer may do with this referral now (the use cases check again)."""
    found: set[Action] = set()
    status = referral.status
    fk_side = _passes(check_follows_referral, actor, facts_of(referral))
    if fk_side and Transition.WITHDRAW in allowed(status):
        found.add(Action.WITHDRAW)
    if fk_side and status is S.DECLINED and program.intake_open_on(today):
        found.add(Action.ASK_ANOTHER)
    open_request = open_request_of(referral)
    if (
        status is S.REQUESTED
        and open_request is not None
        and _passes(check_answers_for, actor, open_request.municipality_id)
    ):
        found |= {Action.ACCEPT, Action.DECLINE}
    placement = referral.placement
    if placement is None or status is S.WITHDRAWN:
        return found
    runs_it = _passes(check_answers_for, actor, placement.municipality_id)
    if runs_it and status is S.ACCEPTED:
        found.add(Action.MEETING_HELD)
    if runs_it and status is S.STARTED:
        found.add(Action.END)
        if placement.assessment_plan_on is None:
            found.add(Action.ASSESSMENT_PLAN)
        if placement.workplace_training_on is None:
            found.add(Action.WORKPLACE_TRAINING)
        if placement.planned_end_on < latest_end(program, placement.started_on):
            found.add(Action.EXTEND)
    if runs_it and status is S.ENDED and placement.final_report_on is None:
        found.add(Action.FINAL_REPORT)
    if (
        fk_side
        and status is S.ENDED
        and placement.outcome not in GOAL_OUTCOMES
        and placement.alternative_plan_on is None
    ):
        found.add(Action.ALTERNATIVE_PLAN)
    return found


FK_ACTIONS = frozenset({Action.WITHDRAW, Action.ASK_ANOTHER, Action.ALTERNATIVE_PLAN})


def may_take(actor: Actor, referral: Referral, action: Action) -> bool:
    """Whether this kind of action on this referral is the actor's at all, whatever its
    state: Försäkringskassan's side, or the municipality asked or running the placement.
    (Whether it can be done now is for the use case to say, with its reason.)"""
    if action in FK_ACTIONS:
        return _passes(check_follows_referral, actor, facts_of(referral))
    if referral.placement is not None and action not in {Action.ACCEPT, Action.DECLINE}:
        municipality_id = referral.placement.municipality_id
    else:
        request = current_request(referral)
        municipality_id = request.municipality_id if request else None
    return municipality_id is not None and _passes(check_answers_for, actor, municipality_id)


def request_of(referral: Referral, request_id: int | None) -> PlacementRequest:
    """One of this referral's requests; a request of another referral does not exist here."""
    for request in referral.requests:
        if request.id == request_id:
            return request
    raise NotFound(N_("There is no such request."))


def suggest_next_municipality(availability: Availability, referral: Referral) -> int | None:
    """After a decline: the best match among the municipalities not asked yet."""
    asked = {r.municipality_id for r in referral.requests}
    others = Availability(
        tuple(m for m in availability.municipalities if m.municipality_id not in asked)
    )
    return suggest_municipality(others, referral.preferred_municipality_id)
