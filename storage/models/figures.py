"""Running day figures kept by database triggers (storage.figures)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


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


class KeptWorkItem(Base):
    """One item that may be on a worklist (domain.deadlines.Task): a referral's open request,
    meeting, missing milestone or report, kept by database triggers in the same transaction
    as every change of the referral, its requests, placement and meetings
    (storage.worklist_triggers). Only work still open is here, never history; whether an item
    is on a list today is a range on `anchor` (storage.worklist_queries), so that a count is
    an index range and a page a keyset range on (anchor, at_seconds, reference_code,
    source_id), however long the program has run. The indexes hold every column a count
    reads (`booked_until` last), so a count never visits the table."""

    __tablename__ = "work_item"
    __table_args__ = (
        Index(
            "ix_work_item_municipality",
            "kind",
            "municipality_id",
            "anchor",
            "at_seconds",
            "reference_code",
            "source_id",
            "booked_until",
        ),
        Index(
            "ix_work_item_investigator",
            "kind",
            "investigator_id",
            "anchor",
            "at_seconds",
            "reference_code",
            "source_id",
            "booked_until",
        ),
        Index(
            "ix_work_item_kind",
            "kind",
            "anchor",
            "at_seconds",
            "reference_code",
            "source_id",
            "booked_until",
        ),
    )

    referral_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    # The row it stems from: the request (asked, declined), the follow-up meeting, or the
    # referral itself; a referral has several items of one kind only for those.
    source_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int | None] = mapped_column(Integer)  # the referral's current one
    investigator_id: Mapped[int] = mapped_column(Integer)
    reference_code: Mapped[str] = mapped_column(String(20))
    anchor: Mapped[date] = mapped_column(Date)  # the day it counts from (UTC day of a moment)
    # A request's moment in seconds since 1970 (UTC), 0 for the others: the order within a
    # day, and the Swedish day the request is shown with.
    at_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    # A running placement's last follow-up booked and not yet held: it needs one booked once
    # that day has passed (Task.BOOK_FOLLOW_UP only).
    booked_until: Mapped[date | None] = mapped_column(Date)


class AcceptedMeeting(Base):
    """How many accepted placements, not yet started, have their tripartite meeting booked on
    a day in a municipality: what the budget's forecast adds to the running totals, kept by
    database triggers in the same transaction as every change of a placement or a referral's
    status (storage.accepted_meetings). A day's row goes when its last placement does."""

    __tablename__ = "accepted_meeting"
    # Every municipality's placements per day, summed in day order (accepted_meetings.per_day).
    __table_args__ = (Index("ix_accepted_meeting_day", "meeting_on", "placements"),)

    municipality_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_on: Mapped[date] = mapped_column(Date, primary_key=True)
    placements: Mapped[int] = mapped_column(Integer)


class WorkCount(Base):
    """How many worklist items (`work_item`) of a kind count from a day, for everyone
    (`whose` "all", `who` 0), a municipality's (`who` its id, 0 for none) or an
    investigator's: what a worklist's counts add up over their kind's window of days
    (storage.worklist_counts), kept by database triggers on `work_item` in the same
    transaction. The day is the item's anchor, or for a follow-up to book the last one booked
    (the earliest day when none is). A row goes when it reaches zero."""

    __tablename__ = "work_count"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    whose: Mapped[str] = mapped_column(String(12), primary_key=True)
    who: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    items: Mapped[int] = mapped_column(Integer)
