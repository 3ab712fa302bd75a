"""The period reports' running totals per municipality and day, kept by database triggers
(storage.report_triggers, read by storage.report_figures)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, Table

from domain.choices import Gender, Outcome
from storage.models.base import Base

UNKNOWN_GENDER = "unknown"  # the counters of referrals without a kept legal gender
GENDERS = (*(g.value for g in Gender), UNKNOWN_GENDER)
OUTCOME_COUNTERS = {o: f"ended_{o.value}" for o in Outcome}
# Sums of days or seconds: they may outgrow an Integer.
SUMS = ("meeting_days", "answer_seconds")
REPORT_COUNTERS = (
    *OUTCOME_COUNTERS.values(),
    "meetings",
    "meeting_days",
    "answers",
    "answer_seconds",
    *(f"{kind}_{g}" for kind in ("starts", "ends", "gone") for g in GENDERS),
)


class ReportDay(Base):
    """Running totals of one municipality's placements and answered requests at the end of
    one day of the program: the placements ended by outcome, the days from an acceptance to
    the tripartite meeting, the time from a referral's submission to a request's answer, and
    the placements started, ended and no longer placed by kept legal gender (counts only:
    no person's row). A period's figures are the difference of two days."""

    __table__ = Table(
        "report_day",
        Base.metadata,
        Column(
            "municipality_id",
            Integer,
            ForeignKey("municipality.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column("day", Date, primary_key=True),
        *(
            Column(name, BigInteger if name in SUMS else Integer, nullable=False, default=0)
            for name in REPORT_COUNTERS
        ),
        Index("ix_report_day_day", "day"),
    )
