"""The history (events) and the audit trail: append-only rows, checkpoints, verifications, log
reviews."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.choices import Role
from domain.events import DomainEvent, EventKind
from domain.typed_events import event_of
from storage.models.base import Base, _enum
from storage.types import UtcDateTime

if TYPE_CHECKING:
    from storage.models.people import User


class Event(Base):
    """Append-only log of every state change: who, when, what. Never personal data."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The account an account event is about (the administrator's history of accounts).
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The hash chain (domain.trail, storage.trail): the row's place and hash.
    chain_seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    chain_hash: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    @property
    def typed(self) -> DomainEvent:
        """The typed event this row keeps (domain.events)."""
        return event_of(
            self.kind,
            referral_id=self.referral_id,
            municipality_id=self.municipality_id,
            subject_user_id=self.subject_user_id,
            details=self.details,
        )


class AuditEntry(Base):
    """Every view of a participant's personal data (and every search in this log): who (user,
    role and municipality at the time), when, from which address, what (`action`: a
    domain.audit.Seen) and which kinds of data (`fields`), whose (the referral), and why
    where a reason was asked. Append-only in the database itself (migration 0007)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # None for a search by personnummer that found nothing (it is logged all the same).
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    role: Mapped[Role | None] = mapped_column(_enum(Role))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    address: Mapped[str] = mapped_column(String(45), default="", server_default="")
    fields: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(String(500))
    # For the reviewer's own searches: what was searched for (ids and dates, no names).
    query: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The hash chain (domain.trail, storage.trail): the row's place and hash.
    chain_seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    chain_hash: Mapped[str | None] = mapped_column(String(64))


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(mapper: object, connection: object, target: object) -> None:
    raise PermissionError(f"{type(target).__name__} rows are append-only")


class AuditPurgePermit(Base):
    """The one way rows leave `audit_log`: the purge use case writes a permit with the cutoff
    in its own transaction, the database triggers let through DELETEs of rows older than it,
    and the permit is removed before the transaction ends."""

    __tablename__ = "audit_purge_permit"

    id: Mapped[int] = mapped_column(primary_key=True)
    before: Mapped[datetime] = mapped_column(UtcDateTime())


class TrailCheckpoint(Base):
    """Written by the purge before it removes rows of a trail past their retention: the place
    and hash of the last row removed, signed (domain.trail), so the chain stays verifiable
    from there. Append-only, as the trail."""

    __tablename__ = "trail_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    trail: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    through_seq: Mapped[int] = mapped_column(Integer)
    through_hash: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    signature: Mapped[str] = mapped_column(String(64))


class TrailVerification(Base):
    """Each run of `mm audit verify`: when, and the first break found (None: whole)."""

    __tablename__ = "trail_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    trail: Mapped[str | None] = mapped_column(String(40))
    row_id: Mapped[int | None] = mapped_column(Integer)
    problem: Mapped[str | None] = mapped_column(String(200))


class LogReview(Base):
    """A documented review of the audit log (loggkontroll): who reviewed what, when, and
    what they concluded."""

    __tablename__ = "log_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    # What was looked at: the filters, or the ids of a random sample.
    selection: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    conclusion: Mapped[str] = mapped_column(Text)

    reviewer: Mapped[User] = relationship()
