"""Home tabs that show what an event changed: the municipality's contacts, the referral's
investigator and the coordinators (linked to Slack) see it there, published again after
the commit (bot.home)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from domain.choices import Role
from domain.events import DomainEvent, EventKind
from notices.outlets import Outlets
from storage.models import PlacementRequest, Referral, User

HOME_IN_SESSION = "mm.notices.home"

# Changes that never show on a Home tab.
NOT_ON_HOME = frozenset(
    {
        EventKind.LOGGED_IN,
        EventKind.USER_ADDED,
        EventKind.PROGRAM_LOADED,
        EventKind.CREATED,
        EventKind.CHAT_LINKED,  # the Home tab is published when it is next opened
    }
)


def refresh_tabs(session: Session, event: DomainEvent, outlets: Outlets, now: datetime) -> None:
    """Notes whose Home tab to publish again once the transaction has committed."""
    if outlets.home_tabs:
        session.info.setdefault(HOME_IN_SESSION, set()).update(audience(session, event))


def audience(session: Session, event: DomainEvent) -> set[str]:
    """The linked Slack users whose Home tab shows what this event changed."""
    municipalities = {event.municipality_id} if event.municipality_id else set()
    investigators: set[int] = set()
    if event.referral_id:
        rows = session.execute(
            select(Referral.investigator_id, PlacementRequest.municipality_id)
            .outerjoin(PlacementRequest, PlacementRequest.referral_id == Referral.id)
            .where(Referral.id == event.referral_id)
        )
        for investigator_id, municipality_id in rows:
            investigators.add(investigator_id)
            if municipality_id:
                municipalities.add(municipality_id)
    who = [User.role == Role.COORDINATOR, User.id.in_(investigators)]
    if municipalities:
        who.append(
            (User.role == Role.MUNICIPALITY_CONTACT) & User.municipality_id.in_(municipalities)
        )
    found = session.scalars(
        select(User.slack_user_id).where(
            User.slack_user_id.is_not(None), User.active.is_(True), or_(*who)
        )
    )
    return {user for user in found if user}


def due(session: Session) -> set[str]:
    """Whose Home tabs this session's events changed."""
    found: set[str] = session.info.get(HOME_IN_SESSION, set())
    return found
