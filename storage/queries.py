"""Aggregate queries: counted and summed in the database, never by looping over rows in Python.

Compensable days of a placement in a window [first, last] are
`through(min(end, last)) − before(max(start, first))`, two primary-key look-ups in the
`compensable_day` index, so a yearly total is one SUM over the placements.

The answers people ask for read the maintained figures (storage.figures) instead; the sums
over every placement here are the recomputation from scratch that `mm figures check` and the
tests hold the figures against, and what a query over a part of the placements (one period,
one municipality) is built from.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session, aliased

from domain.choices import GOAL_OUTCOMES, Outcome
from domain.enrolment import ASSESSMENT_PLAN_DEADLINE, WORKPLACE_TRAINING_DEADLINE
from domain.forecast import PlaceInUse
from domain.lifecycle import ACTIVE_AT_MUNICIPALITY, ReferralStatus
from storage.dates import days_between
from storage.models import CompensableDayRow, Municipality, PlaceEnd, Placement, Referral


def _later(column: SQLColumnExpression[Any], day: date) -> ColumnElement[Any]:
    bound = literal(day, Date)
    return case((column > bound, column), else_=bound)


def _earlier(column: SQLColumnExpression[Any], day: date) -> ColumnElement[Any]:
    bound = literal(day, Date)
    return case((column < bound, column), else_=bound)


def compensable_days_by_municipality(session: Session, first: date, last: date) -> dict[int, int]:
    """Compensable days in [first, last] of every started placement, per municipality.

    A placement counts from its start to its actual end, or its planned end if not ended;
    one whose end lies before its start counts no days.
    """
    end = func.coalesce(Placement.ended_on, Placement.planned_end_on)
    window_start = _later(Placement.started_on, first)
    window_end = _earlier(end, last)
    day_a = aliased(CompensableDayRow)
    day_b = aliased(CompensableDayRow)
    query = (
        select(Placement.municipality_id, func.sum(day_b.through - day_a.before))
        .join(day_a, day_a.day == window_start)
        .join(day_b, day_b.day == window_end)
        .where(
            Placement.started_on.is_not(None),
            Placement.started_on <= last,
            end >= first,
            end >= Placement.started_on,
        )
        .group_by(Placement.municipality_id)
    )
    return {municipality_id: int(days or 0) for municipality_id, days in session.execute(query)}


def compensable_days(session: Session, first: date, last: date) -> int:
    return sum(compensable_days_by_municipality(session, first, last).values())


def status_counts_by_municipality(session: Session) -> dict[int, dict[ReferralStatus, int]]:
    """Referrals accepted or started, counted per municipality of their placement."""
    query = (
        select(Placement.municipality_id, Referral.status, func.count())
        .join(Referral, Referral.id == Placement.referral_id)
        .where(Referral.status.in_(sorted(ACTIVE_AT_MUNICIPALITY)))
        .group_by(Placement.municipality_id, Referral.status)
    )
    counts: dict[int, dict[ReferralStatus, int]] = {}
    for municipality_id, status, number in session.execute(query):
        counts.setdefault(municipality_id, {})[ReferralStatus(status)] = number
    return counts


_ENDS = PlaceEnd.__table__
# Core, built once: the rows are many and small, and the ORM's loading costs more than reading.
_PLACES_IN_USE = select(_ENDS.c.municipality_id, _ENDS.c.kind, _ENDS.c.day, _ENDS.c.places)
_PLACES_IN_USE_OF = _PLACES_IN_USE.where(
    _ENDS.c.municipality_id.in_(bindparam("ids", expanding=True))
)


def places_in_use(
    session: Session, municipality_ids: Collection[int] | None = None
) -> list[PlaceInUse]:
    """Every place taken (accepted or started), of every municipality or the ones given, with
    the day its expected end is counted from: read from the places kept per municipality and
    plan (storage.place_ends), so a row stands for all the places with that plan."""
    query: Any = _PLACES_IN_USE
    params: dict[str, list[int]] = {}
    if municipality_ids is not None:
        if not municipality_ids:
            return []
        query, params = _PLACES_IN_USE_OF, {"ids": sorted(municipality_ids)}
    return [
        PlaceInUse(
            municipality_id,
            day if kind == PlaceEnd.MEETING else None,
            day if kind == PlaceEnd.ENDS else None,
            places,
        )
        for municipality_id, kind, day, places in session.execute(query, params).all()
    ]


def lock_municipality(session: Session, municipality_id: int) -> Municipality | None:
    """The municipality's row, read afresh and locked until the transaction ends: decisions
    about its places and capacity are taken one at a time (SQLite: BEGIN IMMEDIATE already).

    PostgreSQL: FOR NO KEY UPDATE, which rows referring to the municipality (their foreign
    key checks take KEY SHARE) do not wait for, so that nothing else deadlocks on it."""
    return session.scalars(
        select(Municipality)
        .where(Municipality.id == municipality_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).first()


def lock_referral(session: Session, referral_id: int) -> Referral | None:
    """The referral's row, read afresh and locked until the transaction ends: one change of
    a referral or its placement at a time, each deciding on what the one before it left
    (SQLite: BEGIN IMMEDIATE already). Its placement, requests and the rest are read again
    when next used. PostgreSQL: FOR NO KEY UPDATE, as lock_municipality."""
    return session.scalars(
        select(Referral)
        .where(Referral.id == referral_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).first()


def municipalities(session: Session) -> list[Municipality]:
    return list(session.scalars(select(Municipality).order_by(Municipality.name)))


def indicator_counts(session: Session, today: date) -> dict[str, int]:
    """Counts behind the four goal indicators (see domain.indicators), in one query."""
    since_start = days_between(Placement.started_on, literal(today, Date))
    plan_days = days_between(Placement.started_on, Placement.assessment_plan_on)
    training_days = days_between(Placement.started_on, Placement.workplace_training_on)
    plan_limit = ASSESSMENT_PLAN_DEADLINE.days
    training_limit = WORKPLACE_TRAINING_DEADLINE.days
    ended = Placement.ended_on.is_not(None)
    other_outcome = and_(ended, Placement.outcome.not_in(list(GOAL_OUTCOMES)))
    has_plan = Placement.assessment_plan_on.is_not(None)
    has_training = Placement.workplace_training_on.is_not(None)

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = select(
        count_if((plan_days <= plan_limit) & has_plan).label("plan_on_time"),
        count_if(has_plan | (since_start > plan_limit)).label("plan_counted"),
        count_if((training_days <= training_limit) & has_training).label("training_on_time"),
        count_if(has_training | (since_start > training_limit)).label("training_counted"),
        count_if(and_(ended, Placement.outcome.in_(list(GOAL_OUTCOMES)))).label("goal_outcome"),
        count_if(ended).label("ended"),
        count_if(
            and_(
                other_outcome,
                (Placement.alternative_plan_on.is_not(None))
                | (Placement.outcome == Outcome.ALTERNATIVE_PLAN),
            )
        ).label("alternative_plan"),
        count_if(other_outcome).label("other_ended"),
    ).where(Placement.started_on.is_not(None), Placement.started_on <= today)
    return {key: int(value) for key, value in session.execute(query).one()._mapping.items()}
