"""Placements and what belongs to one: extensions, meetings, documents."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.choices import Outcome
from domain.documentation import DocumentKind
from domain.meetings import MeetingKind
from storage.models.base import (
    ALTERNATIVE_PLAN_MISSING,
    FINAL_REPORT_MISSING,
    INBOX_DAY,
    Base,
    _enum,
)
from storage.types import EncryptedJSON, UtcDateTime

if TYPE_CHECKING:
    from storage.models.municipalities import Municipality
    from storage.models.referrals import Referral


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
        # The municipality's inbox (services.lists.inbox_for): its placements that still
        # need something done are those without the final report, in the inbox's order.
        Index(
            "ix_placement_without_report",
            "municipality_id",
            text(INBOX_DAY),
            sqlite_where=text("final_report_on IS NULL"),
            postgresql_where=text("final_report_on IS NULL"),
        ),
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
    content: Mapped[dict[str, Any]] = mapped_column(
        EncryptedJSON("placement_document.content"), default=dict
    )
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
