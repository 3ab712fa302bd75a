"""Referrals, their participant (the personal data, purged separately), the name index and
placement requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from domain.choices import BenefitType, DeclineReason, Gender
from domain.lifecycle import ReferralStatus, RequestAnswer
from domain.participants import name_words
from storage import crypto
from storage.models.base import Base, _enum
from storage.types import Encrypted, UtcDateTime

if TYPE_CHECKING:
    from storage.models.municipalities import Municipality
    from storage.models.people import User
    from storage.models.placements import Placement


class ReferenceCounter(Base):
    """Last sequence number used per year, for reference codes like MM-2026-0042."""

    __tablename__ = "reference_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class Referral(Base):
    __tablename__ = "referral"
    __table_args__ = (
        # The lists: by municipality and status, an investigator's own, newest first.
        Index("ix_referral_municipality_status", "current_municipality_id", "status"),
        Index("ix_referral_investigator_created", "investigator_id", "created_at"),
        Index("ix_referral_created", "created_at", "id"),
        # The coordinator's list filtered by status, newest first: its 51 rows by index
        # (migration 0029), not a walk of the newest referrals of every status.
        Index("ix_referral_status_created", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference_code: Mapped[str] = mapped_column(String(20), unique=True)
    investigator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[ReferralStatus] = mapped_column(_enum(ReferralStatus), index=True)
    benefit_type: Mapped[BenefitType] = mapped_column(_enum(BenefitType))
    # A municipality, not an address: safe to show in chat.
    preferred_municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    consent_given: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The municipality asked last: the open request's, the placement's, or the one that
    # declined. Kept here so that lists filter and page in SQL (services.referrals sets it).
    current_municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    # Issue 10: the participant withdrew consent (no more sharing with the municipality).
    consent_withdrawn_on: Mapped[date | None] = mapped_column(Date)
    # When the personal data was purged (gallrad); the referral's statistics stay.
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    # Legal gender from the personnummer, kept after the purge for the Finsam follow-up's
    # counts by gender (see README, Gallring).
    gender: Mapped[Gender | None] = mapped_column(_enum(Gender))

    investigator: Mapped[User] = relationship()
    preferred_municipality: Mapped[Municipality | None] = relationship(
        foreign_keys=[preferred_municipality_id]
    )
    participant: Mapped[Participant | None] = relationship(
        back_populates="referral", cascade="all, delete-orphan", uselist=False
    )
    requests: Mapped[list[PlacementRequest]] = relationship(
        back_populates="referral", order_by="PlacementRequest.asked_at"
    )
    placement: Mapped[Placement | None] = relationship(back_populates="referral", uselist=False)


class Participant(Base):
    """Personal data of the participant; health and social-insurance data under sekretess."""

    __tablename__ = "participant"

    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), primary_key=True
    )
    # Encrypted (storage.crypto); "" for a protected participant's name and phone.
    name: Mapped[str] = mapped_column(Encrypted("participant.name"))
    personal_identity_number: Mapped[str] = mapped_column(
        Encrypted("participant.personal_identity_number")
    )
    phone: Mapped[str] = mapped_column(Encrypted("participant.phone"), default="")
    needs: Mapped[str] = mapped_column(Encrypted("participant.needs"), default="")
    # The personnummer's keyed hash (crypto.digest): what searches and extracts compare.
    personal_identity_number_digest: Mapped[str] = mapped_column(String(64), index=True)
    # The digest again while the referral is open (None once ended or withdrawn): a unique
    # index lets one person have one open referral, also when two are filed at once.
    open_personal_identity_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Skyddade personuppgifter: no name or phone held; shown as such wherever a name would be.
    protected_identity: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    referral: Mapped[Referral] = relationship(back_populates="participant")
    name_index: Mapped[list[ParticipantNameWord]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("personal_identity_number")
    def _digest_number(self, _key: str, number: str) -> str:
        self.personal_identity_number_digest = personal_identity_digest(number)
        return number

    @validates("name")
    def _index_name(self, _key: str, name: str) -> str:
        # The blind index: one keyed hash per word, so a search by name never decrypts rows.
        self.name_index = [
            ParticipantNameWord(digest=name_word_digest(w)) for w in name_words(name)
        ]
        return name


PERSONAL_IDENTITY_NUMBER = "personal_identity_number"


NAME_WORD = "name_word"


def personal_identity_digest(number: str) -> str:
    """The keyed hash of a personnummer in its normal 12-digit form."""
    return crypto.digest(PERSONAL_IDENTITY_NUMBER, number)


def name_word_digest(word: str) -> str:
    """The keyed hash of one normalised word of a name (domain.participants.name_words)."""
    return crypto.digest(NAME_WORD, word)


class ParticipantNameWord(Base):
    """The blind index of names: one row per normalised word of a participant's name."""

    __tablename__ = "participant_name_word"

    referral_id: Mapped[int] = mapped_column(
        ForeignKey("participant.referral_id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class PlacementRequest(Base):
    """FK's question to one municipality. At most one open (unanswered) per referral."""

    __tablename__ = "placement_request"
    __table_args__ = (
        Index(
            "uq_placement_request_one_open",
            "referral_id",
            unique=True,
            sqlite_where=text("answered_at IS NULL"),
            postgresql_where=text("answered_at IS NULL"),
        ),
        # The follow-up's lead times: requests answered in a period.
        Index("ix_placement_request_answered_at", "answered_at"),
        # The municipality's inbox: its open requests, oldest first (migration 0033).
        Index(
            "ix_placement_request_open",
            "municipality_id",
            "asked_at",
            sqlite_where=text("answered_at IS NULL"),
            postgresql_where=text("answered_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answer: Mapped[RequestAnswer | None] = mapped_column(_enum(RequestAnswer))
    decline_reason: Mapped[DeclineReason | None] = mapped_column(_enum(DeclineReason))
    # Encrypted; for FK only (the investigator and the coordinator), never the next municipality.
    decline_comment: Mapped[str] = mapped_column(
        Encrypted("placement_request.decline_comment"), default=""
    )

    referral: Mapped[Referral] = relationship(back_populates="requests")
    municipality: Mapped[Municipality] = relationship()
    asked_by: Mapped[User] = relationship(foreign_keys=[asked_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
