"""Finsam follow-up reports as reported."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, UniqueConstraint
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
    # Every field of the national screens as reported (domain.finsam.national_fields), so the
    # report reads the same after later program changes; None for reports made before.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)


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
