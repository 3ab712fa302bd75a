"""Builds the daily digest (domain.digest) from the database: what is waiting and what is
slipping, by the rules of domain.deadlines. Codes, municipalities, dates and counts only —
the digest never reads personal data. Rendering and sending belong to the bot."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from domain.calendar import add_working_days
from domain.clock import local_date
from domain.deadlines import DeadlineSettings, request_age, request_overdue, slip_window, slips
from domain.digest import Digest, LateItem, UpcomingMeeting, WaitingRequest
from services import reports
from services.program_setup import current_program
from storage import digest_queries


def build_digest(
    session: Session,
    *,
    today: date,
    since: datetime,
    municipality_id: int | None = None,
    settings: DeadlineSettings | None = None,
) -> Digest:
    """The digest for `today`; `since` is when the previous one was made."""
    settings = settings or DeadlineSettings()
    program = current_program(session)
    places = tuple(
        m
        for m in reports.availability(session).municipalities
        if municipality_id in (None, m.municipality_id)
    )
    waiting = tuple(
        WaitingRequest(code, name, local_date(asked_at), age, request_overdue(age, settings))
        for code, name, asked_at in digest_queries.open_requests(session, municipality_id)
        for age in [request_age(local_date(asked_at), today)]
    )
    horizon = add_working_days(today, settings.meetings_within_working_days)
    meetings = tuple(
        UpcomingMeeting(code, name, placement.meeting_on)
        for code, name, placement in digest_queries.meetings_between(
            session, today, horizon, municipality_id
        )
    )
    year = program.year_for(today)
    coordinator = municipality_id is None
    return Digest(
        day=today,
        municipality_id=municipality_id,
        settings=settings,
        places=places,
        budget=(
            reports.year_budget(session, year=today.year, today=today, program=program)
            if coordinator and year
            else None
        ),
        waiting=waiting,
        meetings=meetings,
        late=tuple(late_items(session, today, municipality_id)),
        unconfirmed_rate_year=year.year
        if coordinator and year and not year.rate_confirmed
        else None,
        changes=digest_queries.changes_since(session, since, municipality_id),
    )


def late_items(session: Session, today: date, municipality_id: int | None) -> list[LateItem]:
    """Running placements behind schedule (domain.deadlines), oldest due date first."""
    plan_before, training_before, ending_by = slip_window(today)
    found = [
        LateItem(code, name, slipping.slip, slipping.due_on)
        for code, name, placement in digest_queries.running_behind(
            session,
            plan_started_before=plan_before,
            training_started_before=training_before,
            ending_by=ending_by,
            municipality_id=municipality_id,
        )
        if placement.started_on is not None and placement.planned_end_on is not None
        for slipping in slips(
            started_on=placement.started_on,
            planned_end_on=placement.planned_end_on,
            assessment_plan_on=placement.assessment_plan_on,
            workplace_training_on=placement.workplace_training_on,
            today=today,
        )
    ]
    return sorted(found, key=lambda item: (item.due_on, item.reference_code, item.slip))
