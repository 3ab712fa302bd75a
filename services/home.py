"""What a person's Home tab in chat shows: their work, free places, and the budget line for
those who may see it. Codes, municipalities, dates, statuses and counts only.

Their work: the count of their worklist on the web (services.worklist, "Att göra"), then
what the daily digest of their audience lists (services.digest: the coordinator's, or their
municipality's), and for an investigator their own referrals that are still moving. Both
follow domain.deadlines, so chat and web never differ about what is late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor, can_see_budget
from domain.availability import Availability
from domain.budget import YearBudget
from domain.choices import Role
from domain.deadlines import DeadlineSettings
from domain.digest import Digest
from domain.errors import RuleViolation
from domain.lifecycle import ReferralStatus
from services import reports, worklist
from services.digest import build_digest
from storage.models import Referral

# An investigator's referrals that still need following.
MOVING = (
    ReferralStatus.SUBMITTED,
    ReferralStatus.REQUESTED,
    ReferralStatus.DECLINED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.STARTED,
)
MAX_OWN = 200
WORKLIST_ROLES = worklist.HAS_WORKLIST


@dataclass(frozen=True)
class OwnReferral:
    reference_code: str
    status: ReferralStatus
    municipality: str | None  # asked, or running the placement


@dataclass(frozen=True)
class Home:
    actor: Actor
    availability: Availability
    budget: YearBudget | None
    work: Digest | None  # the coordinator's or the municipality's waiting and late items
    own_referrals: tuple[OwnReferral, ...] = ()
    to_do: int | None = None  # items on the worklist (None: the role has none)


def _own_referrals(session: Session, actor: Actor) -> tuple[OwnReferral, ...]:
    referrals = session.scalars(
        select(Referral)
        .where(Referral.investigator_id == actor.user_id, Referral.status.in_(MOVING))
        .order_by(Referral.reference_code)
        .limit(MAX_OWN)
    )
    found = []
    for referral in referrals:
        place = referral.placement.municipality if referral.placement else None
        asked = referral.requests[-1].municipality if referral.requests else None
        where = place or asked
        name = where.name if where is not None else None
        found.append(OwnReferral(referral.reference_code, referral.status, name))
    return tuple(found)


def home_for(
    session: Session,
    *,
    actor: Actor,
    today: date,
    now: datetime,
    settings: DeadlineSettings | None = None,
) -> Home:
    """The Home tab's content for one linked person."""
    budget = None
    if can_see_budget(actor):
        try:
            budget = reports.year_budget(session, year=today.year, today=today)
        except RuleViolation:  # a day outside the program's years
            budget = None
    work = None
    if actor.role is Role.COORDINATOR or (actor.is_contact and actor.municipality_id):
        work = build_digest(
            session,
            today=today,
            since=now,
            municipality_id=None if actor.role is Role.COORDINATOR else actor.municipality_id,
            settings=settings,
        )
    own = _own_referrals(session, actor) if actor.role is Role.INVESTIGATOR else ()
    to_do = None
    if actor.role in WORKLIST_ROLES:
        to_do = worklist.count_for(session, actor=actor, today=today, settings=settings)
    return Home(
        actor=actor,
        availability=reports.availability(session),
        budget=budget,
        work=work,
        own_referrals=own,
        to_do=to_do,
    )
