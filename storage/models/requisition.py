"""Requisitions (rekvisitioner), their lines and cost outcomes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.requisition import State as RequisitionState
from storage.models.base import Base, _enum
from storage.types import UtcDateTime


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
