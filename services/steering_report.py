"""The steering group's report (samverkansgruppens rapport): one page of the other reports for
a period, each read once: the municipalities (with their free places), the goal indicators,
the budget follow-up of the period's year and the requisitions outstanding."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from domain.access import Actor
from domain.errors import RuleViolation
from domain.follow_up import SteeringReport
from domain.text import N_
from services import reports, requisition_lists
from services.budget_follow_up import budget_follow_up
from services.indicator_report import indicators_report
from services.kept_answers import kept
from services.reports import check_sees_reports
from storage import requisition_queries


def steering_report(
    session: Session, *, actor: Actor | None, first: date, last: date, today: date
) -> SteeringReport:
    """One page for the samverkansgrupp: participants, the goals, outcomes, the budget,
    requisitions outstanding and the free places now."""
    check_sees_reports(actor)
    if last < first:
        raise RuleViolation(N_("The period must end after it starts."), field="to")
    # The same for everyone who may see it: kept while the database reads the same.
    return kept(
        session,
        "steering report",
        (first, last, today),
        lambda: _steering_report(session, first=first, last=last, today=today),
    )


def _steering_report(session: Session, *, first: date, last: date, today: date) -> SteeringReport:
    to = min(last, today)
    places = reports.availability(session)
    # The free places list every municipality by name: the rows of the other parts too.
    names = [(m.municipality_id, m.municipality) for m in places.municipalities]
    return SteeringReport(
        first=first,
        last=last,
        indicators=tuple(
            indicators_report(session, actor=None, first=first, last=last, today=today, names=names)
        ),
        follow_up=budget_follow_up(
            session, actor=None, year=to.year, to=to, today=today, names=names
        ),
        accruals=tuple(requisition_lists.accruals(session, actor=None, on=to, today=today)),
        waiting_for_attestation=len(requisition_queries.waiting_for_attestation(session)),
        places=places,
    )
