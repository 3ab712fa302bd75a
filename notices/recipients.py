"""Who gets which notice by e-mail, and each person's own choices ("Mina inställningar").

A person without a stored choice gets a notice in chat, as before e-mail existed. Chat to a
municipality goes to its channel or room whatever one contact chose; e-mail goes to each
person who chose it (or both), at the address of their account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from domain.access import Actor
from domain.choices import Role
from domain.errors import RuleViolation
from domain.notices import DEFAULT_WAY, NoticeKind, NoticeWay, by_email, kinds_for
from domain.text import N_
from storage.models import NoticePreference, User


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    slack_user_id: str | None
    matrix_user_id: str | None
    way: NoticeWay


def preferences_of(session: Session, *, actor: Actor) -> dict[NoticeKind, NoticeWay]:
    """This person's way for each kind of notice they get (chat when not chosen)."""
    stored = {
        row.kind: row.way
        for row in session.scalars(
            select(NoticePreference).where(NoticePreference.user_id == actor.user_id)
        )
    }
    return {kind: stored.get(kind, DEFAULT_WAY) for kind in kinds_for(actor)}


def set_preferences(
    session: Session, *, actor: Actor, choices: Mapping[NoticeKind, NoticeWay | None]
) -> None:
    """Saves the person's own choices; a kind they do not get is refused."""
    allowed = set(kinds_for(actor))
    for kind, way in choices.items():
        if kind not in allowed:
            raise RuleViolation(N_("You do not get this kind of notice."), field=kind.value)
        if way is None:
            raise RuleViolation(N_("Choose how you want this notice."), field=kind.value)
    session.execute(delete(NoticePreference).where(NoticePreference.user_id == actor.user_id))
    for kind, way in choices.items():
        if way is not None:
            session.add(NoticePreference(user_id=actor.user_id, kind=kind, way=way))


def _recipients(session: Session, kind: NoticeKind, *conditions: object) -> list[Recipient]:
    rows = session.execute(
        select(User, NoticePreference.way)
        .outerjoin(
            NoticePreference,
            (NoticePreference.user_id == User.id) & (NoticePreference.kind == kind),
        )
        .where(User.active.is_(True), *conditions)  # type: ignore[arg-type]
        .order_by(User.id)
    )
    return [
        Recipient(user.id, user.email, user.slack_user_id, user.matrix_user_id, way or DEFAULT_WAY)
        for user, way in rows
    ]


def contacts_of(session: Session, kind: NoticeKind, municipality_id: int) -> list[Recipient]:
    return _recipients(
        session,
        kind,
        User.role == Role.MUNICIPALITY_CONTACT,
        User.municipality_id == municipality_id,
    )


def coordinators(session: Session, kind: NoticeKind) -> list[Recipient]:
    return _recipients(session, kind, User.role == Role.COORDINATOR)


def association(session: Session, kind: NoticeKind) -> list[Recipient]:
    """The association's people (who pay the requisitions)."""
    return _recipients(session, kind, User.role == Role.ASSOCIATION)


def person(session: Session, kind: NoticeKind, user_id: int) -> Recipient | None:
    found = _recipients(session, kind, User.id == user_id)
    return found[0] if found else None


def by_email_only(found: list[Recipient]) -> list[Recipient]:
    return [r for r in found if by_email(r.way)]
