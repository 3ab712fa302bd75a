"""Casework views of referrals: who sees which list, and what each person may do next.

Read-only companions to `referrals` and `placements` for the adapters: the lists of the
investigator, the coordinator and a municipality's contacts (codes, statuses, municipalities
and dates: never personal data), and the actions a viewer may take on one referral now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from domain import actions
from domain.access import Actor
from domain.actions import Action
from domain.availability import Availability, suggest_municipality
from domain.choices import Role
from domain.errors import NotAllowed, NotFound
from domain.lifecycle import ACTIVE_AT_MUNICIPALITY, ReferralStatus
from domain.program import Program
from domain.text import N_
from services.referrals import case_of, current_request
from storage.models import Placement, PlacementRequest, Referral

S = ReferralStatus


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


def _loaded() -> Select[Any]:
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
            Referral.status.in_(ACTIVE_AT_MUNICIPALITY),
            (Referral.status == S.ENDED)
            & Referral.placement.has(Placement.final_report_on.is_(None)),
        ),
    )
    open_rows = sorted(
        (row_of(r) for r in session.scalars(asked)), key=lambda r: r.asked_at or r.filed_at
    )
    placement_rows = sorted(
        (row_of(r) for r in session.scalars(running)),
        key=lambda r: (r.started_on or r.meeting_on or date.max, r.reference_code),
    )
    return Inbox(open_rows, placement_rows)


def actions_for(actor: Actor, referral: Referral, *, today: date, program: Program) -> set[Action]:
    """What this viewer may do with this referral now (domain.actions, as the use cases)."""
    return actions.actions_for(actor, case_of(referral), today=today, program=program)


def may_take(actor: Actor, referral: Referral, action: Action) -> bool:
    """Whether this kind of action on this referral is the actor's at all."""
    return actions.may_take(actor, case_of(referral), action)


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
