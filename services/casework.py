"""Casework views of one referral: what each person may do with it next, the municipality
to suggest after a decline, and who to call about it. (The lists are services.lists.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import actions
from domain.access import Actor
from domain.actions import Action
from domain.availability import Availability, suggest_municipality
from domain.choices import Role
from domain.errors import NotFound
from domain.lifecycle import ReferralStatus
from domain.program import Program
from domain.text import N_
from services.referrals import case_of, current_request
from storage.models import PlacementRequest, Referral, User

S = ReferralStatus


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


@dataclass(frozen=True)
class StaffContact:
    """How to reach a colleague about a referral: staff details, never the participant's."""

    name: str
    title: str
    phone: str
    email: str


@dataclass(frozen=True)
class Contacts:
    investigator: StaffContact
    municipality: str | None  # the municipality asked, or running the placement
    municipality_contacts: list[StaffContact]


def _staff(user: User) -> StaffContact:
    return StaffContact(user.name, user.title, user.phone, user.email)


def contacts_of(session: Session, referral: Referral) -> Contacts:
    """Who to call: the investigator, and the contacts of the referral's municipality."""
    request = current_request(referral)
    people: list[User] = []
    if request is not None:
        people = list(
            session.scalars(
                select(User)
                .where(
                    User.municipality_id == request.municipality_id,
                    User.role == Role.MUNICIPALITY_CONTACT,
                    User.active.is_(True),
                )
                .order_by(User.name, User.id)
            )
        )
    return Contacts(
        investigator=_staff(referral.investigator),
        municipality=request.municipality.name if request else None,
        municipality_contacts=[_staff(u) for u in people],
    )
