"""The money part of the demo data (cli.demo_data): cost outcomes the coordinator entered and
requisitions part of the way through their flow, made through the real use cases."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from domain.access import Actor
from domain.clock import STOCKHOLM
from domain.follow_up import TERTIALS, pro_rata
from domain.money import Money
from domain.program import Program
from domain.requisition import periods_ended_by
from services import budget_follow_up, requisitions, users
from storage.models import User


def moment(day: date, hour: int = 10) -> datetime:
    """A demo day at a round hour, Stockholm time (both demo modules date their steps so)."""
    return datetime.combine(day, time(hour), STOCKHOLM)


def enter_cost_outcomes(
    session: Session, program: Program, coordinator: Actor, today: date
) -> None:
    """The coordinator has entered the other cost lines' utfall at the ended tertials of the
    year: a little under their budget pro rata."""
    year = program.year_for(today)
    if year is None:
        return
    for month, day in TERTIALS:
        through = date(today.year, month, day)
        if through >= today:
            break
        for cost in year.other_costs:
            budget_follow_up.enter_cost_outcome(
                session,
                actor=coordinator,
                year=today.year,
                label=cost.label,
                through=through,
                amount=Money(pro_rata(cost.amount, through).ore * 9 // 10 // 100 * 100),
                now=moment(through + timedelta(days=10)),
            )


def make_requisitions(
    session: Session,
    program: Program,
    contacts: dict[int, Actor],
    coordinator: Actor,
    association: User,
    today: date,
) -> None:
    """The requisition flow part of the way: each municipality has submitted the periods
    ended more than four months ago, the coordinator has attested all but the latest of
    them, and the association has paid the oldest; the last two ended periods are drafts."""
    payer = users.actor_of(association)
    ended = periods_ended_by(program, today - timedelta(days=1))
    for municipality_id, contact in sorted(contacts.items()):
        claimed = [
            period
            for period in ended
            if period.last < today - timedelta(days=120)
            and requisitions.basis(
                session, actor=contact, municipality_id=municipality_id, period=period, today=today
            ).lines
        ]
        for number, period in enumerate(claimed):
            submitted = period.last + timedelta(days=6)
            row = requisitions.submit(
                session,
                actor=contact,
                municipality_id=municipality_id,
                period=period,
                now=moment(submitted),
            )
            if number == len(claimed) - 1:
                continue
            step: dict[str, Any] = {
                "municipality_id": municipality_id,
                "period": period,
                "requisition_id": row.id,
            }
            requisitions.attest(
                session, actor=coordinator, now=moment(submitted + timedelta(days=3)), **step
            )
            if number == 0:
                paid = submitted + timedelta(days=10)
                requisitions.mark_paid(session, actor=payer, paid_on=paid, now=moment(paid), **step)
