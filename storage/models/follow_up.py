"""Finsam follow-up reports as reported."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UtcDateTime


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
