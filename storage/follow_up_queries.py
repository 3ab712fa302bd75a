"""The follow-up reports' aggregate queries, counted in the database, a handful for any report
however many placements there are. The period reports' outcomes, times and participants by
gender are kept instead (storage.report_figures)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import (
    CostOutcome,
    FinsamAssociationYear,
    FinsamReport,
)


def cost_outcomes(session: Session, year: int, through: date) -> dict[str, int]:
    """label -> öre of each other cost line's latest utfall entered up to `through`."""
    query = (
        select(CostOutcome.label, CostOutcome.amount_ore)
        .where(CostOutcome.year == year, CostOutcome.through <= through)
        .order_by(CostOutcome.through, CostOutcome.id)
    )
    return {label: ore for label, ore in session.execute(query)}


def finsam_report(session: Session, year: int, half: int) -> FinsamReport | None:
    return session.scalars(
        select(FinsamReport).where(FinsamReport.year == year, FinsamReport.half == half)
    ).first()


def association_year(session: Session, year: int) -> FinsamAssociationYear | None:
    return session.scalars(
        select(FinsamAssociationYear).where(FinsamAssociationYear.year == year)
    ).first()
