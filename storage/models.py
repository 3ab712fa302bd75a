"""SQLAlchemy 2 models. Personal data lives in its own table (`participant`) so that it can be
purged (gallras) while the referral and its statistics survive.

Money is whole öre (BigInteger); dates are dates; times are timezone-aware UTC.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from domain.choices import (
    NEEDS_ALTERNATIVE_PLAN,
    BenefitType,
    DeclineReason,
    Gender,
    IntakeState,
    Outcome,
    Role,
)
from domain.delivery import OutboxAction, OutboxState, Transport
from domain.documentation import DocumentKind
from domain.events import DomainEvent, EventKind
from domain.lifecycle import ReferralStatus, RequestAnswer
from domain.meetings import MeetingKind
from domain.notices import NoticeKind, NoticeWay
from domain.participants import name_words
from domain.program import DayRule
from domain.requisition import State as RequisitionState
from domain.typed_events import event_of
from storage import crypto
from storage.types import Encrypted, EncryptedJSON, UtcDateTime

# What the worklists' partial indexes hold, and their queries say word for word (SQLite uses a
# partial index only when the query repeats its condition, literals included).
FINAL_REPORT_MISSING = "final_report_on IS NULL AND ended_on IS NOT NULL"
ALTERNATIVE_PLAN_MISSING = (
    "alternative_plan_on IS NULL AND ended_on IS NOT NULL AND outcome IN ("
    + ", ".join(f"'{o.value}'" for o in sorted(NEEDS_ALTERNATIVE_PLAN))
    + ")"
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(cls: type[StrEnum]) -> Enum:
    # Stored as the lower-case values, as text, so both databases read the same.
    return Enum(
        cls,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        validate_strings=True,
        length=40,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ProgramRow(Base):
    __tablename__ = "program"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200))
    association: Mapped[str] = mapped_column(String(200))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    intake_stop: Mapped[date | None] = mapped_column(Date)
    reference_prefix: Mapped[str] = mapped_column(String(10))
    enrolment_months: Mapped[int] = mapped_column(Integer)
    max_enrolment_months: Mapped[int] = mapped_column(Integer)
    day_rule: Mapped[DayRule] = mapped_column(_enum(DayRule))
    retention_months: Mapped[int] = mapped_column(Integer)
    # FK's documentation template: {"plan": [{"key", "heading", "help"}], "final_report": …}
    documentation: Mapped[dict | None] = mapped_column(JSON)
    # Uppföljning Finsam's attributes of the insats (domain.finsam.InsatsAttributes).
    finsam: Mapped[dict | None] = mapped_column(JSON)
    # Issue 10: referrals that never started are purged sooner; the audit log is kept longer.
    retention_months_not_started: Mapped[int] = mapped_column(
        Integer, default=6, server_default=text("6")
    )
    audit_retention_months: Mapped[int] = mapped_column(
        Integer, default=60, server_default=text("60")
    )
    # The public pages' texts (accessibility statement, processing of personal data).
    accessibility_statement: Mapped[str] = mapped_column(Text, default="", server_default="")
    privacy_notice: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The register extract's account of the processing (the settings file's [privacy]).
    controllers: Mapped[str] = mapped_column(Text, default="", server_default="")
    purposes: Mapped[str] = mapped_column(Text, default="", server_default="")
    legal_bases: Mapped[str] = mapped_column(Text, default="", server_default="")
    recipients: Mapped[str] = mapped_column(Text, default="", server_default="")
    complaints: Mapped[str] = mapped_column(Text, default="", server_default="")
    requisition_months: Mapped[int] = mapped_column(Integer, default=2)
    requisition_reference: Mapped[str] = mapped_column(String(200), default="")
    requisition_account: Mapped[str] = mapped_column(String(200), default="")
    requisition_due_working_days: Mapped[int] = mapped_column(
        Integer, default=10, server_default=text("10")
    )
    intake_forecast_per_month: Mapped[int] = mapped_column(Integer, default=0)
    # A new random value whenever the program or its years change: processes keep the
    # program they read until it differs (storage.program_store).
    revision: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))

    phases: Mapped[list[PhaseRow]] = relationship(
        cascade="all, delete-orphan", order_by="PhaseRow.start"
    )
    years: Mapped[list[ProgramYearRow]] = relationship(
        cascade="all, delete-orphan", order_by="ProgramYearRow.year"
    )


class PhaseRow(Base):
    __tablename__ = "program_phase"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)


class ProgramYearRow(Base):
    __tablename__ = "program_year"
    __table_args__ = (UniqueConstraint("program_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    budget_ore: Mapped[int] = mapped_column(BigInteger)
    daily_rate_ore: Mapped[int] = mapped_column(BigInteger)
    rate_confirmed: Mapped[bool] = mapped_column(Boolean)
    # [{"label": ..., "amount_ore": ...}]: shown in reports, not placement money.
    other_costs: Mapped[list] = mapped_column(JSON, default=list)
    participants: Mapped[int] = mapped_column(Integer, default=0)


class DailyRateDecision(Base):
    """A year's daily rate confirmed or changed (services.program_setup.set_daily_rate): the
    decision's reason is kept here, beside the typed event that records the change."""

    __tablename__ = "daily_rate_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    previous_ore: Mapped[int | None] = mapped_column(BigInteger)  # None: not confirmed before
    rate_ore: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    decided_by: Mapped[User | None] = relationship()


class CompensableDayRow(Base):
    """Prefix count of compensable days over the program period (see domain.calendar)."""

    __tablename__ = "compensable_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    before: Mapped[int] = mapped_column(Integer)
    through: Mapped[int] = mapped_column(Integer)


class Municipality(Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    offer: Mapped[str] = mapped_column(Text, default="")
    slack_channel: Mapped[str | None] = mapped_column(String(40))
    intake_state: Mapped[IntakeState] = mapped_column(
        _enum(IntakeState), default=IntakeState.OPEN, server_default=IntakeState.OPEN.value
    )
    matrix_room: Mapped[str | None] = mapped_column(String(255))  # !room:server


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    slack_user_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    matrix_user_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Staff contact details, shown to the other party of a referral (never a participant's).
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    title: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # Login (issue 9): the identity at the organisation's identity provider (an HSA-id, a
    # personnummer, … as the setting OIDC_IDENTITY_CLAIM says; the e-mail claim needs none).
    external_identity: Mapped[str | None] = mapped_column(String(200), unique=True)
    # The TOTP key (base32) once enrolled, and the last time step used: a code is good once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Made by `mm demo`: may be shown its code by `mm demo code`, and removed by `mm demo remove`.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    municipality: Mapped[Municipality | None] = relationship()


class ChatLink(Base):
    """A one-time link from a Slack or Matrix user to a web account (services.chat_links)."""

    __tablename__ = "chat_link"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(40))
    matrix_user_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Who asked, as Slack names them, so that the confirmation page can say it.
    slack_user_name: Mapped[str | None] = mapped_column(String(80))
    slack_team: Mapped[str | None] = mapped_column(String(80))


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


class Placement(Base):
    """The training placement, from acceptance; compensation runs from `started_on`."""

    __tablename__ = "placement"
    __table_args__ = (
        Index("ix_placement_started_municipality", "started_on", "municipality_id"),
        # The worklists: milestones and reports missing, ends approaching (partial indexes
        # hold only the rows still waiting, so they stay small as the program runs: a
        # milestone only of running placements, as an ended one no longer waits for it).
        Index(
            "ix_placement_plan_missing",
            "started_on",
            sqlite_where=text("assessment_plan_on IS NULL AND ended_on IS NULL"),
            postgresql_where=text("assessment_plan_on IS NULL AND ended_on IS NULL"),
        ),
        Index(
            "ix_placement_training_missing",
            "started_on",
            sqlite_where=text("workplace_training_on IS NULL AND ended_on IS NULL"),
            postgresql_where=text("workplace_training_on IS NULL AND ended_on IS NULL"),
        ),
        Index(
            "ix_placement_report_missing",
            "ended_on",
            sqlite_where=text(FINAL_REPORT_MISSING),
            postgresql_where=text(FINAL_REPORT_MISSING),
        ),
        Index(
            "ix_placement_alternative_plan_missing",
            "ended_on",
            sqlite_where=text(ALTERNATIVE_PLAN_MISSING),
            postgresql_where=text(ALTERNATIVE_PLAN_MISSING),
        ),
        Index("ix_placement_ended_municipality", "ended_on", "municipality_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), unique=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("placement_request.id"))
    meeting_on: Mapped[date] = mapped_column(Date)  # tripartite meeting as booked
    started_on: Mapped[date | None] = mapped_column(Date)  # tripartite meeting as held
    planned_end_on: Mapped[date | None] = mapped_column(Date)
    assessment_plan_on: Mapped[date | None] = mapped_column(Date)
    workplace_training_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome))
    alternative_plan_on: Mapped[date | None] = mapped_column(Date)
    final_report_on: Mapped[date | None] = mapped_column(Date)
    # Accepted when the municipality had no free place, with the acceptor's confirmation.
    over_capacity: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )

    referral: Mapped[Referral] = relationship(back_populates="placement")
    municipality: Mapped[Municipality] = relationship()
    extensions: Mapped[list[Extension]] = relationship(
        back_populates="placement", order_by="Extension.decided_at"
    )


class Extension(Base):
    __tablename__ = "extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    previous_end_on: Mapped[date] = mapped_column(Date)
    new_end_on: Mapped[date] = mapped_column(Date)

    placement: Mapped[Placement] = relationship(back_populates="extensions")


class Event(Base):
    """Append-only log of every state change: who, when, what. Never personal data."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
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


class ChatOutbox(Base):
    """A chat message to post or update, written in the same transaction as the change it
    tells about and delivered after the commit (bot.outbox). `key` makes it happen once."""

    __tablename__ = "chat_outbox"
    __table_args__ = (Index("ix_chat_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    # slack: a channel id (C…), or a user id (U…) for a direct message; matrix: a room id
    # (!…), or a user id (@…) for a direct chat; email: an address.
    transport: Mapped[Transport] = mapped_column(
        _enum(Transport), default=Transport.SLACK, server_default=Transport.SLACK.value
    )
    channel: Mapped[str] = mapped_column(String(320))
    # post: a new message; update: replace the message that `update_of` posted.
    action: Mapped[OutboxAction] = mapped_column(_enum(OutboxAction))
    update_of_id: Mapped[int | None] = mapped_column(ForeignKey("chat_outbox.id"))
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list] = mapped_column(JSON, default=list)
    # What Matrix or e-mail is sent (Matrix content; subject, text and HTML of an e-mail).
    payload: Mapped[dict | None] = mapped_column(JSON)
    # pending -> sending -> sent; or failed / skipped / unknown (domain.delivery).
    state: Mapped[OutboxState] = mapped_column(_enum(OutboxState))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Where Slack put the message: needed to update it later.
    posted_channel: Mapped[str | None] = mapped_column(String(40))
    ts: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(String(200))
    # Which process claimed it (host:pid), so that a claim whose process died is known.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    # The last try may have reached the chat service (a timeout, a server error, a process
    # that died): the next one looks for the message before it posts again.
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    update_of: Mapped[ChatOutbox | None] = relationship(remote_side=[id])


class ChatRequestSeen(Base):
    """Requests from Slack already taken in, so that a retried delivery is not run twice."""

    __tablename__ = "chat_request_seen"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


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
    fields: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(String(500))
    # For the reviewer's own searches: what was searched for (ids and dates, no names).
    query: Mapped[dict | None] = mapped_column(JSON)
    # The hash chain (domain.trail, storage.trail): the row's place and hash.
    chain_seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    chain_hash: Mapped[str | None] = mapped_column(String(64))


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(mapper: object, connection: object, target: object) -> None:
    raise PermissionError(f"{type(target).__name__} rows are append-only")


class LoginThrottle(Base):
    """Failed logins of one account from one network address (domain.authentication): the
    row is locked while a password is checked, so concurrent tries are counted one by one."""

    __tablename__ = "login_throttle"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    address: Mapped[str] = mapped_column(String(45), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)


class WebSession(Base):
    """A session on the web site, kept on the server so that every worker agrees and logging
    out ends it. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    logged_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    address: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class RecoveryCode(Base):
    """A one-time code for logging in without the authenticator (only its SHA-256)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Invitation(Base):
    """A link that lets a person set their password (and enrol their second factor): for a
    new account, or after an administrator reset the password. Only its SHA-256 is stored."""

    __tablename__ = "invitation"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


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
    selection: Mapped[dict] = mapped_column(JSON, default=dict)
    conclusion: Mapped[str] = mapped_column(Text)

    reviewer: Mapped[User] = relationship()


class _RunningTotals:
    """The columns of domain.figures.Tally: one municipality's or all municipalities'."""

    starts: Mapped[int] = mapped_column(Integer, default=0)
    plans: Mapped[int] = mapped_column(Integer, default=0)
    plans_on_time: Mapped[int] = mapped_column(Integer, default=0)
    trainings: Mapped[int] = mapped_column(Integer, default=0)
    trainings_on_time: Mapped[int] = mapped_column(Integer, default=0)
    running_from: Mapped[int] = mapped_column(Integer, default=0)
    before_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    running_to: Mapped[int] = mapped_column(Integer, default=0)
    through_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    ends: Mapped[int] = mapped_column(Integer, default=0)
    goal_outcomes: Mapped[int] = mapped_column(Integer, default=0)
    other_outcomes: Mapped[int] = mapped_column(Integer, default=0)
    alternative_plans: Mapped[int] = mapped_column(Integer, default=0)


class DayFigure(_RunningTotals, Base):
    """Running totals of one municipality's placements at the end of one day of the program
    (domain.figures.Tally), kept by database triggers in the same transaction as every change
    of a placement (storage.figures). Budget and indicator answers read these, never the
    placements themselves."""

    __tablename__ = "day_figure"
    __table_args__ = (Index("ix_day_figure_day", "day"),)

    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class DayFigureTotal(_RunningTotals, Base):
    """The same running totals for all municipalities together: a yearly budget is read
    from two or three rows."""

    __tablename__ = "day_figure_total"

    day: Mapped[date] = mapped_column(Date, primary_key=True)


class PlaceCount(Base):
    """Placements accepted but not started, and started (running), per municipality: the
    used places of the availability answer, kept by triggers like the day figures."""

    __tablename__ = "place_count"

    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True
    )
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    started: Mapped[int] = mapped_column(Integer, default=0)


class NoticePreference(Base):
    """How one person wants one kind of notice (domain.notices); none means chat."""

    __tablename__ = "notice_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind), primary_key=True)
    way: Mapped[NoticeWay] = mapped_column(_enum(NoticeWay))


class MatrixDirectRoom(Base):
    """The bot's direct chat with one Matrix user, once it exists."""

    __tablename__ = "matrix_direct_room"

    matrix_user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))


class ChatCursor(Base):
    """Where a chat process left off (the Matrix sync token), so a restart goes on there."""

    __tablename__ = "chat_cursor"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Submission(Base):
    """A form that was carried out, by its one-time key: the same form posted again (a double
    click, a retry after a network error or a worker crash) creates nothing new and shows
    what the first one made. Inserted in the transaction that does the work."""

    __tablename__ = "submission"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # What it made, for the adapter to show again (e.g. a reference code).
    result: Mapped[str] = mapped_column(String(200), default="")


class Meeting(Base):
    """A meeting of a placement: the tripartite meeting (its date also in
    `placement.meeting_on`) and the follow-ups. Staff only: no participant data."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_due", "kind", "held_on", "on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind))
    on: Mapped[date] = mapped_column(Date)
    at: Mapped[time | None] = mapped_column(Time)  # None: booked in chat, date only
    place: Mapped[str] = mapped_column(String(200), default="")
    held_on: Mapped[date | None] = mapped_column(Date)
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # Times moved: the calendar invitation's SEQUENCE, so calendars replace the old one.
    moves: Mapped[int] = mapped_column(Integer, default=0)


class PlacementDocument(Base):
    """The individual plan or the final documentation of a placement, by the program's
    template. Personal data: it hangs on the participant's row and is purged with it."""

    __tablename__ = "placement_document"
    __table_args__ = (UniqueConstraint("referral_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("participant.referral_id", ondelete="CASCADE")
    )
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind))
    # section key -> text, encrypted as one JSON string
    content: Mapped[dict] = mapped_column(EncryptedJSON("placement_document.content"), default=dict)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))


class Requisition(Base):
    """A municipality's submitted requisition basis for one period (domain.requisition), with
    its lines frozen in `requisition_line`. A period without a standing row is a draft,
    computed live; a returned row stays as history and the period is a draft again."""

    __tablename__ = "requisition"
    __table_args__ = (
        Index(
            "uq_requisition_one_standing",
            "municipality_id",
            "period_first",
            unique=True,
            sqlite_where=text("state <> 'returned'"),
            postgresql_where=text("state <> 'returned'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    period_first: Mapped[date] = mapped_column(Date)
    period_last: Mapped[date] = mapped_column(Date)
    state: Mapped[RequisitionState] = mapped_column(_enum(RequisitionState))
    # Frozen at submission: what the invoice said.
    municipality_name: Mapped[str] = mapped_column(String(100))
    municipality_code: Mapped[str] = mapped_column(String(4))
    reference: Mapped[str] = mapped_column(String(200))
    account: Mapped[str] = mapped_column(String(200))
    daily_rate_ore: Mapped[int] = mapped_column(BigInteger)
    rate_confirmed: Mapped[bool] = mapped_column(Boolean)
    days: Mapped[int] = mapped_column(Integer)
    total_ore: Mapped[int] = mapped_column(BigInteger)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    attested_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    attested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    return_reason: Mapped[str] = mapped_column(Text, default="")
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    lines: Mapped[list[RequisitionLine]] = relationship(
        cascade="all, delete-orphan", order_by="RequisitionLine.id"
    )


class RequisitionLine(Base):
    """A frozen line: a placement's days in the period, or a correction of an earlier one."""

    __tablename__ = "requisition_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    requisition_id: Mapped[int] = mapped_column(
        ForeignKey("requisition.id", ondelete="CASCADE"), index=True
    )
    reference_code: Mapped[str] = mapped_column(String(20))
    # A placement line: its first and last compensable day in the period.
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    daily_rate_ore: Mapped[int] = mapped_column(BigInteger)
    amount_ore: Mapped[int] = mapped_column(BigInteger)
    # A correction line: the period it corrects, and the days claimed before and now.
    corrects_first: Mapped[date | None] = mapped_column(Date, index=True)
    corrects_last: Mapped[date | None] = mapped_column(Date)
    claimed_days: Mapped[int | None] = mapped_column(Integer)
    # A correction's kind (domain.requisition.CorrectionKind): changed days or a changed rate.
    correction_kind: Mapped[str | None] = mapped_column(String(10))


class CostOutcome(Base):
    """The utfall of one of the program's other cost lines (coordinator, evaluation,
    administration) up to a cut-off date, as the coordinator entered it (domain.follow_up)."""

    __tablename__ = "cost_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    through: Mapped[date] = mapped_column(Date)
    amount_ore: Mapped[int] = mapped_column(BigInteger)
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class FinsamReport(Base):
    """Uppföljning Finsam's figures for a year or half-year as reported: stored counts that
    stay the same when personal data is purged later (domain.finsam)."""

    __tablename__ = "finsam_report"
    __table_args__ = (UniqueConstraint("year", "half"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    half: Mapped[int] = mapped_column(Integer)  # 0: the whole year; 1 or 2: a half-year
    active_women: Mapped[int] = mapped_column(Integer)
    active_men: Mapped[int] = mapped_column(Integer)
    active_unknown: Mapped[int] = mapped_column(Integer)
    new_women: Mapped[int] = mapped_column(Integer)
    new_men: Mapped[int] = mapped_column(Integer)
    new_unknown: Mapped[int] = mapped_column(Integer)
    ended_women: Mapped[int] = mapped_column(Integer)
    ended_men: Mapped[int] = mapped_column(Integer)
    ended_unknown: Mapped[int] = mapped_column(Integer)
    budgeted_participants: Mapped[int] = mapped_column(Integer)
    budget_ore: Mapped[int] = mapped_column(BigInteger)
    accrued_ore: Mapped[int] = mapped_column(BigInteger)
    rate_confirmed: Mapped[bool] = mapped_column(Boolean)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Every field of the national screens as reported (domain.finsam.national_fields), so the
    # report reads the same after later program changes; None for reports made before.
    snapshot: Mapped[dict | None] = mapped_column(JSON)


class FinsamAssociationYear(Base):
    """The association's own figures for Uppföljning Finsam for a year, entered on the
    Finsam page (domain.finsam.AssociationFigures)."""

    __tablename__ = "finsam_association_year"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    allocated_ore: Mapped[int] = mapped_column(BigInteger)
    equity_ore: Mapped[int] = mapped_column(BigInteger)
    administration_budget_ore: Mapped[int] = mapped_column(BigInteger)
    administration_utfall_ore: Mapped[int] = mapped_column(BigInteger)
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ApiToken(Base):
    """A token for the API (issue 26): made by the administrator, shown once, only its
    SHA-256 kept. It acts through an account of its own (`user_id`, never active on the web
    site: no login, no notices), so the history and the audit log name it as they name a
    person; that account has the token's role and municipality."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The rate limit: calls in the current minute, counted under the row's lock.
    window_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    window_calls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class WebhookSubscription(Base):
    """A receiver of webhooks (issue 26): its address, the event kinds it follows
    (domain.webhooks.WEBHOOK_EVENTS) and the Standard Webhooks secret that signs each
    delivery (kept as it is: signing needs it; shown to the administrator once)."""

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[list] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
