"""Uppföljning Finsam in the national shape (issue 25): the association's own figures per
year, and the snapshot a report stores of every field of the national screens, so that a
reported year reads the same after the purge and after the program file changes
(domain.finsam)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.access import Actor, can_enter_finsam_figures
from domain.errors import NotAllowed, RuleViolation
from domain.finsam import (
    AssociationFigures,
    FieldValue,
    FinsamFigures,
    association_of,
    attributes_of,
    changes,
    check_association_figures,
    national_fields,
    previous_period,
)
from domain.money import Money
from domain.program import Program
from domain.text import N_
from domain.typed_events import FinsamFiguresEntered
from services import history
from storage import follow_up_queries as queries
from storage.models import FinsamAssociationYear, FinsamReport


def association_figures(session: Session, year: int) -> AssociationFigures | None:
    row = queries.association_year(session, year)
    if row is None:
        return None
    return AssociationFigures(
        row.year,
        Money(row.allocated_ore),
        Money(row.equity_ore),
        Money(row.administration_budget_ore),
        Money(row.administration_utfall_ore),
    )


def enter_association_figures(
    session: Session, *, actor: Actor, figures: AssociationFigures, now: datetime
) -> None:
    """The association or the coordinator enters (or corrects) the year's figures. A report
    already made keeps what it stored; the next one shows the change."""
    if not can_enter_finsam_figures(actor):
        raise NotAllowed(N_("Only the association or the coordinator enters these figures."))
    check_association_figures(figures)
    row = _locked_year(session, figures.year, now)
    row.allocated_ore = figures.allocated.ore
    row.equity_ore = figures.equity.ore
    row.administration_budget_ore = figures.administration_budget.ore
    row.administration_utfall_ore = figures.administration_utfall.ore
    row.entered_at, row.entered_by_id = now, actor.user_id
    history.record(
        session,
        FinsamFiguresEntered(
            year=figures.year,
            allocated_ore=figures.allocated.ore,
            equity_ore=figures.equity.ore,
            administration_budget_ore=figures.administration_budget.ore,
            administration_utfall_ore=figures.administration_utfall.ore,
        ),
        at=now,
        actor=actor,
    )


def _locked_year(session: Session, year: int, now: datetime) -> FinsamAssociationYear:
    """The year's row under a row lock, made when missing: two people saving at once apply
    one after the other. When both make it at once, the unique year refuses the second
    insert (it waits for the first to commit), which then locks the first's row."""
    locked = select(FinsamAssociationYear).where(FinsamAssociationYear.year == year)
    row = session.scalars(locked.with_for_update()).first()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = FinsamAssociationYear(
                year=year,
                allocated_ore=0,
                equity_ore=0,
                administration_budget_ore=0,
                administration_utfall_ore=0,
                entered_at=now,
            )
            session.add(row)
    except IntegrityError:
        return session.scalars(locked.with_for_update()).one()
    return row


def in_national_shape(
    session: Session, figures: FinsamFigures, program: Program, stored: FinsamReport | None
) -> FinsamFigures:
    """Adds what the national screens ask beyond the counts: as the report stored it, when
    there is one with a snapshot; otherwise as the program and the association say now."""
    if stored is not None and stored.snapshot is not None:
        return replace(
            figures,
            association=association_of(stored.snapshot, figures.year),
            insats=str(stored.snapshot.get("insats") or ""),
            attributes=attributes_of(stored.snapshot),
        )
    return replace(
        figures,
        association=association_figures(session, figures.year),
        insats=program.name,
        attributes=program.finsam,
    )


def snapshot(figures: FinsamFigures) -> dict[str, FieldValue]:
    return dict(national_fields(figures))


def changes_since_previous(
    session: Session, figures: FinsamFigures
) -> tuple[FinsamReport | None, list[tuple[str, FieldValue, FieldValue]]]:
    """The previous period's report and the fields that differ from it (the screens' order)."""
    year, half = previous_period(figures.year, figures.half)
    previous = queries.finsam_report(session, year, half or 0)
    if previous is None:
        return None, []
    before = previous.snapshot or {}
    return previous, changes(before, national_fields(figures))


def check_year(program: Program, year: int | None) -> int:
    if year is None or year not in {y.year for y in program.years}:
        raise RuleViolation(N_("Choose one of the program's years."), field="ar")
    return year
