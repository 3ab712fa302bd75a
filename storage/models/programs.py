"""The program (insatsen) as configured: phases, years, daily-rate decisions, compensable days,
settings."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.program import DayRule
from storage.models.base import Base, _enum
from storage.types import UtcDateTime

if TYPE_CHECKING:
    from storage.models.people import User


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
    documentation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Uppföljning Finsam's attributes of the insats (domain.finsam.InsatsAttributes).
    finsam: Mapped[dict[str, Any] | None] = mapped_column(JSON)
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
    other_costs: Mapped[list[Any]] = mapped_column(JSON, default=list)
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
