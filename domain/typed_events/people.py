"""The typed events of people and their accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.events import DomainEvent, EventKind

# People and accounts


@dataclass(frozen=True, kw_only=True)
class UserAdded(DomainEvent):
    kind = EventKind.USER_ADDED
    role: str


@dataclass(frozen=True, kw_only=True)
class LoggedIn(DomainEvent):
    kind = EventKind.LOGGED_IN
    method: str


@dataclass(frozen=True, kw_only=True)
class ChatLinked(DomainEvent):
    kind = EventKind.CHAT_LINKED


@dataclass(frozen=True, kw_only=True)
class Invited(DomainEvent):
    kind = EventKind.INVITED
    until: datetime


@dataclass(frozen=True, kw_only=True)
class UserChanged(DomainEvent):
    kind = EventKind.USER_CHANGED
    fields: tuple[str, ...]
    role: str


@dataclass(frozen=True, kw_only=True)
class UserDeactivated(DomainEvent):
    kind = EventKind.USER_DEACTIVATED


@dataclass(frozen=True, kw_only=True)
class UserReactivated(DomainEvent):
    kind = EventKind.USER_REACTIVATED


@dataclass(frozen=True, kw_only=True)
class UserUnlocked(DomainEvent):
    kind = EventKind.USER_UNLOCKED


@dataclass(frozen=True, kw_only=True)
class PasswordSet(DomainEvent):
    kind = EventKind.PASSWORD_SET


@dataclass(frozen=True, kw_only=True)
class PasswordReset(DomainEvent):
    kind = EventKind.PASSWORD_RESET


@dataclass(frozen=True, kw_only=True)
class SecondFactorEnrolled(DomainEvent):
    kind = EventKind.SECOND_FACTOR_ENROLLED


@dataclass(frozen=True, kw_only=True)
class SecondFactorReset(DomainEvent):
    kind = EventKind.SECOND_FACTOR_RESET


@dataclass(frozen=True, kw_only=True)
class RecoveryCodesRenewed(DomainEvent):
    kind = EventKind.RECOVERY_CODES_RENEWED


@dataclass(frozen=True, kw_only=True)
class ChatUnlinked(DomainEvent):
    kind = EventKind.CHAT_UNLINKED


@dataclass(frozen=True, kw_only=True)
class SessionsEnded(DomainEvent):
    kind = EventKind.SESSIONS_ENDED
    count: int


@dataclass(frozen=True, kw_only=True)
class DemoRemoved(DomainEvent):
    kind = EventKind.DEMO_REMOVED
