"""The period reports' figures counted straight from the placements and requests, as the
reports did before they were kept (storage.report_figures): the recount the tests compare
the kept figures with."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, select, union_all
from sqlalchemy.orm import Session

from domain.clock import STOCKHOLM
from domain.lifecycle import RequestAnswer
from storage.dates import day_of, days_apart
from storage.models import Placement, PlacementRequest, Referral


def outcomes(session: Session, first: date, last: date) -> list[Any]:
    """(municipality_id, outcome, count) of the placements that ended in [first, last]."""
    query = (
        select(Placement.municipality_id, Placement.outcome, func.count())
        .where(Placement.ended_on.between(first, last), Placement.outcome.is_not(None))
        .group_by(Placement.municipality_id, Placement.outcome)
    )
    return list(session.execute(query))


def answer_times(session: Session, first: date, last: date) -> list[Any]:
    """(municipality_id, answers, total days) from a referral's submission to the answer of
    a request answered (accepted or declined) in [first, last]."""
    query = (
        select(
            PlacementRequest.municipality_id,
            func.count(),
            func.sum(days_apart(Referral.submitted_at, PlacementRequest.answered_at)),
        )
        .join(Referral, Referral.id == PlacementRequest.referral_id)
        .where(
            PlacementRequest.answer.in_([RequestAnswer.ACCEPTED, RequestAnswer.DECLINED]),
            PlacementRequest.answered_at >= _start_of(first),
            PlacementRequest.answered_at < _start_of(last, after=True),
            Referral.submitted_at.is_not(None),
        )
        .group_by(PlacementRequest.municipality_id)
    )
    return list(session.execute(query))


def meeting_times(session: Session, first: date, last: date) -> list[Any]:
    """(municipality_id, placements, total days) from the day of the acceptance to the
    tripartite meeting held, for placements started in [first, last]."""
    query = (
        select(
            Placement.municipality_id,
            func.count(),
            func.sum(days_apart(day_of(PlacementRequest.answered_at), Placement.started_on)),
        )
        .join(PlacementRequest, PlacementRequest.id == Placement.request_id)
        .where(Placement.started_on.between(first, last), PlacementRequest.answered_at.is_not(None))
        .group_by(Placement.municipality_id)
    )
    return list(session.execute(query))


def _start_of(day: date, *, after: bool = False) -> datetime:
    """The moment a Swedish day begins (or, `after`, the next one)."""
    return datetime.combine(day + timedelta(days=1) if after else day, time(0), STOCKHOLM)


def participants(session: Session, first: date, last: date) -> dict[str, list[Any]]:
    """Participants of the period as (municipality_id, kept legal gender or None, count)
    rows: `active` (placed at some time in it), `new` (started in it), `ended` (ended in it).
    The gender is the referral's, which the purge keeps. Each part reads only the
    placements it counts, by index: started in the period, ended in or after it, or still
    running after its start."""
    started = Placement.started_on.between(first, last)
    ended = Placement.ended_on.between(first, last)
    earlier = and_(Placement.started_on.is_not(None), Placement.started_on < first)
    parts: dict[str, list[Any]] = {
        "active": [
            started,
            and_(earlier, Placement.ended_on >= first),
            and_(earlier, Placement.ended_on.is_(None), Placement.planned_end_on >= first),
        ],
        "new": [started],
        "ended": [ended],
    }

    def counted(condition: Any) -> Any:
        return (
            select(
                Placement.municipality_id.label("municipality_id"),
                Referral.gender.label("gender"),
                func.count().label("n"),
            )
            .join(Referral, Referral.id == Placement.referral_id)
            .where(condition)
            .group_by(Placement.municipality_id, Referral.gender)
        )

    found: dict[str, list[Any]] = {}
    for kind, conditions in parts.items():
        # One statement per kind: each part counted by its own index, the parts added up.
        parts_counted = union_all(*(counted(c) for c in conditions)).subquery()
        query = select(
            parts_counted.c.municipality_id, parts_counted.c.gender, func.sum(parts_counted.c.n)
        ).group_by(parts_counted.c.municipality_id, parts_counted.c.gender)
        found[kind] = [(m, d, int(c)) for m, d, c in session.execute(query)]
    return found
