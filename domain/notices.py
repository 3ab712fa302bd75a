"""Notices a person can get, and by which way: chat, e-mail or both ("Mina inställningar").

Which kinds a person can choose depends on their role: a new request to their municipality
and the municipality's daily digest (contacts), an answer to their referral (investigators),
the coordinator's digest (the coordinator), and their own work that became late (contacts,
for their municipality's requests and placements). A notice never carries personal data:
reference codes, municipalities, dates, statuses, counts and links only, in every channel.
"""

from __future__ import annotations

from enum import StrEnum

from domain.access import Actor
from domain.choices import Role
from domain.text import N_


class NoticeKind(StrEnum):
    NEW_REQUEST = "new_request"
    ANSWER = "answer"
    DIGEST = "digest"
    LATE = "late"
    REQUISITION = "requisition"  # a requisition basis moved to you (or was paid)


class NoticeWay(StrEnum):
    CHAT = "chat"
    EMAIL = "email"
    BOTH = "both"


DEFAULT_WAY = NoticeWay.CHAT

NOTICE_KIND_LABELS = {
    NoticeKind.NEW_REQUEST: N_("A new request to your municipality"),
    NoticeKind.ANSWER: N_("A municipality's answer to your referral"),
    NoticeKind.DIGEST: N_("The daily digest"),
    NoticeKind.LATE: N_("Your work that became late"),
    NoticeKind.REQUISITION: N_("A requisition basis that waits for you, or was paid"),
}
WAY_LABELS = {
    NoticeWay.CHAT: N_("In chat"),
    NoticeWay.EMAIL: N_("By e-mail"),
    NoticeWay.BOTH: N_("Both"),
}


def kinds_for(actor: Actor) -> tuple[NoticeKind, ...]:
    """The notices this person gets at all."""
    if actor.role is Role.MUNICIPALITY_CONTACT:
        return (
            NoticeKind.NEW_REQUEST,
            NoticeKind.DIGEST,
            NoticeKind.LATE,
            NoticeKind.REQUISITION,
        )
    if actor.role is Role.INVESTIGATOR:
        return (NoticeKind.ANSWER,)
    if actor.role is Role.COORDINATOR:
        return (NoticeKind.DIGEST, NoticeKind.REQUISITION)
    if actor.role is Role.ASSOCIATION:
        return (NoticeKind.REQUISITION,)
    return ()


def by_email(way: NoticeWay) -> bool:
    return way in (NoticeWay.EMAIL, NoticeWay.BOTH)


def by_chat(way: NoticeWay) -> bool:
    return way in (NoticeWay.CHAT, NoticeWay.BOTH)
