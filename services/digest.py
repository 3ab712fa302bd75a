"""Builds the daily digests (domain.digest) from the database: what is waiting and what is
slipping, by the rules of domain.deadlines. Codes, municipalities, dates and counts only —
the digest never reads personal data. Rendering and sending belong to the bot.

All digests of a day come from one pass: each query runs once for every municipality and
its rows are split by municipality here, so 290 channels cost what one does.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from domain.availability import MunicipalityPlaces
from domain.budget import YearBudget
from domain.calendar import add_working_days
from domain.clock import local_date
from domain.deadlines import (
    DeadlineSettings,
    Task,
    request_age,
    request_overdue,
    slip_window,
    slips,
)
from domain.digest import Digest, LateItem, RequisitionDue, UpcomingMeeting, WaitingRequest
from domain.program import ProgramYear
from services import reports, requisition_lists
from services.program_setup import current_program
from storage import digest_queries


@dataclass(frozen=True)
class Audience:
    """Who a digest is for (None: the coordinator, everything) and when the previous one
    was made (changes are counted from then)."""

    municipality_id: int | None
    since: datetime


_Item = TypeVar("_Item")


def _by_municipality(items: Sequence[tuple[int | None, _Item]]) -> dict[int | None, list[_Item]]:
    grouped: dict[int | None, list[_Item]] = defaultdict(list)
    for municipality_id, item in items:
        if municipality_id is not None:
            grouped[municipality_id].append(item)
        grouped[None].append(item)  # the coordinator's digest has everything
    return grouped


@dataclass(frozen=True)
class _Day:
    """What all of a day's digests are cut from, each part grouped by municipality (None:
    the coordinator's, everything)."""

    today: date
    settings: DeadlineSettings
    places: tuple[MunicipalityPlaces, ...]
    year: ProgramYear | None
    budget: YearBudget | None
    waiting: dict[int | None, list[WaitingRequest]]
    meetings: dict[int | None, list[UpcomingMeeting]]
    late: dict[int | None, list[LateItem]]
    moments: dict[int | None, list[datetime]]
    due: dict[Task, dict[int | None, list[RequisitionDue]]]


def build_digests(
    session: Session,
    *,
    today: date,
    audiences: Sequence[Audience],
    settings: DeadlineSettings | None = None,
) -> list[Digest]:
    """The digest of `today` for each audience, in the same order."""
    settings = settings or DeadlineSettings()
    program = current_program(session)
    places = reports.availability(session, today=today, program=program).municipalities
    waiting = _waiting(session, today, settings)
    meetings = _meetings(session, today, settings)
    late = _by_municipality(_late_rows(session, today, None))
    moments = _change_moments(session, audiences)
    due = _requisitions_due(session, today)
    year = program.year_for(today)
    budget = (
        reports.year_budget(session, year=today.year, today=today, program=program)
        if year and any(a.municipality_id is None for a in audiences)
        else None
    )
    day = _Day(today, settings, tuple(places), year, budget, waiting, meetings, late, moments, due)
    return [_digest_for(day, audience) for audience in audiences]


def _digest_for(day: _Day, audience: Audience) -> Digest:
    own = audience.municipality_id
    coordinator = own is None
    return Digest(
        day=day.today,
        municipality_id=own,
        settings=day.settings,
        places=tuple(m for m in day.places if coordinator or m.municipality_id == own),
        budget=day.budget if coordinator else None,
        waiting=tuple(day.waiting.get(own, ())),
        meetings=tuple(day.meetings.get(own, ())),
        late=tuple(sorted(day.late.get(own, ()), key=_late_order)),
        unconfirmed_rate_year=day.year.year
        if coordinator and day.year and not day.year.rate_confirmed
        else None,
        changes=_after(day.moments.get(own, []), audience.since),
        requisitions_waiting=tuple(day.due[Task.ATTEST_REQUISITION].get(None, ()))
        if coordinator
        else (),
        unsubmitted=tuple(day.due[Task.SUBMIT_REQUISITION].get(own, ())),
        returned=tuple(day.due[Task.RESUBMIT_REQUISITION].get(own, ())),
    )


def _waiting(
    session: Session, today: date, settings: DeadlineSettings
) -> dict[int | None, list[WaitingRequest]]:
    return _by_municipality(
        [
            (
                row.municipality_id,
                WaitingRequest(
                    row.reference_code,
                    row.municipality,
                    local_date(row.asked_at),
                    age,
                    request_overdue(age, settings),
                ),
            )
            for row in digest_queries.open_requests(session)
            for age in [request_age(local_date(row.asked_at), today)]
        ]
    )


def _meetings(
    session: Session, today: date, settings: DeadlineSettings
) -> dict[int | None, list[UpcomingMeeting]]:
    horizon = add_working_days(today, settings.meetings_within_working_days)
    return _by_municipality(
        [
            (
                row.municipality_id,
                UpcomingMeeting(row.reference_code, row.municipality, row.meeting_on),
            )
            for row in digest_queries.meetings_between(session, today, horizon)
        ]
    )


def _change_moments(
    session: Session, audiences: Sequence[Audience]
) -> dict[int | None, list[datetime]]:
    """The moments of changes since the earliest previous digest, sorted, by municipality."""
    earliest = min((a.since for a in audiences), default=None)
    return {
        where: sorted(times)
        for where, times in _by_municipality(
            digest_queries.change_moments(session, earliest) if earliest else []
        ).items()
    }


def _requisitions_due(
    session: Session, today: date
) -> dict[Task, dict[int | None, list[RequisitionDue]]]:
    # The worklists' rule (domain.deadlines.requisition_task), so the two always agree.
    work = requisition_lists.work(session, today=today)
    # Waiting for attestation: oldest period first; the municipalities' own: by municipality.
    by_place = sorted(work, key=lambda w: (w.basis.municipality, w.basis.period.first))
    return {
        task: _by_municipality(
            [
                (w.basis.municipality_id, RequisitionDue(w.basis.municipality, w.basis.period))
                for w in (work if task is Task.ATTEST_REQUISITION else by_place)
                if w.task is task
            ]
        )
        for task in (
            Task.SUBMIT_REQUISITION,
            Task.RESUBMIT_REQUISITION,
            Task.ATTEST_REQUISITION,
        )
    }


def build_digest(
    session: Session,
    *,
    today: date,
    since: datetime,
    municipality_id: int | None = None,
    settings: DeadlineSettings | None = None,
) -> Digest:
    """The digest for `today` of one audience; `since` is when the previous one was made."""
    return build_digests(
        session, today=today, audiences=[Audience(municipality_id, since)], settings=settings
    )[0]


def _after(moments: list[datetime], since: datetime) -> int:
    """How many of the sorted moments come after `since`."""
    return len(moments) - bisect_right(moments, since)


def _late_order(item: LateItem) -> tuple[date, str, str]:
    return (item.due_on, item.reference_code, item.slip)


def _late_rows(
    session: Session, today: date, municipality_id: int | None
) -> list[tuple[int, LateItem]]:
    plan_before, training_before, ending_by = slip_window(today)
    return [
        (row.municipality_id, LateItem(row.reference_code, row.municipality, s.slip, s.due_on))
        for row in digest_queries.running_behind(
            session,
            plan_started_before=plan_before,
            training_started_before=training_before,
            ending_by=ending_by,
            municipality_id=municipality_id,
        )
        if row.started_on is not None and row.planned_end_on is not None
        for s in slips(
            started_on=row.started_on,
            planned_end_on=row.planned_end_on,
            assessment_plan_on=row.assessment_plan_on,
            workplace_training_on=row.workplace_training_on,
            today=today,
        )
    ]
