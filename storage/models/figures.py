"""Running day figures kept by database triggers (storage.figures)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer
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
