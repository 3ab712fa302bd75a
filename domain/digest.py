"""What the daily digest says: what is waiting and what is slipping, as data.

The coordinator's digest covers all municipalities and the budget; a municipality's digest
only its own places, requests and placements. Reference codes, municipalities, dates and
counts only — the digest never reads personal data. Rendering (Block Kit, text) and sending
belong to the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from domain import enrolment, reports
from domain.availability import MunicipalityPlaces
from domain.budget import YearBudget
from domain.calendar import add_working_days, working_days_between
from domain.clock import local_date
from domain.program_setup import current_program
from domain.text import N_
from storage import digest_queries

ENDING_SOON = timedelta(days=30)


@dataclass(frozen=True)
class DigestSettings:
    """How far ahead and how long to wait, in working days (settings of the digest)."""

    overdue_after_working_days: int = 2
    meetings_within_working_days: int = 5


@dataclass(frozen=True)
class WaitingRequest:
    reference_code: str
    municipality: str
    asked_on: date
    working_days: int
    overdue: bool


@dataclass(frozen=True)
class UpcomingMeeting:
    reference_code: str
    municipality: str
    meeting_on: date


class Slip(StrEnum):
    ASSESSMENT_PLAN = "assessment_plan"
    WORKPLACE_TRAINING = "workplace_training"
    ENDING = "ending"


SLIP_LABELS = {
    Slip.ASSESSMENT_PLAN: N_("Assessment and plan late (due %(date)s)"),
    Slip.WORKPLACE_TRAINING: N_("Workplace training not started (due %(date)s)"),
    Slip.ENDING: N_("Planned end %(date)s without an extension or end decision"),
}


@dataclass(frozen=True)
class LateItem:
    reference_code: str
    municipality: str
    slip: Slip
    due_on: date


@dataclass(frozen=True)
class Digest:
    day: date
    municipality_id: int | None  # None: the coordinator's digest
    places: tuple[MunicipalityPlaces, ...]
    budget: YearBudget | None  # the coordinator's only, within a program year
    waiting: tuple[WaitingRequest, ...]
    meetings: tuple[UpcomingMeeting, ...]
    late: tuple[LateItem, ...]
    unconfirmed_rate_year: int | None
    changes: int  # events since the previous digest

    @property
    def quiet(self) -> bool:
        """Nothing waiting, nothing slipping and nothing changed: "inget nytt"."""
        return not (
            self.waiting or self.meetings or self.late or self.unconfirmed_rate_year or self.changes
        )


def build_digest(
    session: Session,
    *,
    today: date,
    since: datetime,
    municipality_id: int | None = None,
    settings: DigestSettings | None = None,
) -> Digest:
    """The digest for `today`; `since` is when the previous one was made."""
    settings = settings or DigestSettings()
    program = current_program(session)
    places = tuple(
        m
        for m in reports.availability(session).municipalities
        if municipality_id in (None, m.municipality_id)
    )
    waiting = tuple(
        WaitingRequest(
            code, name, local_date(asked_at), days, days > settings.overdue_after_working_days
        )
        for code, name, asked_at in digest_queries.open_requests(session, municipality_id)
        for days in [working_days_between(local_date(asked_at), today)]
    )
    horizon = add_working_days(today, settings.meetings_within_working_days)
    meetings = tuple(
        UpcomingMeeting(code, name, placement.meeting_on)
        for code, name, placement in digest_queries.meetings_between(
            session, today, horizon, municipality_id
        )
    )
    late = tuple(_late_items(session, today, municipality_id))
    year = program.year_for(today)
    coordinator = municipality_id is None
    return Digest(
        day=today,
        municipality_id=municipality_id,
        places=places,
        budget=(
            reports.year_budget(session, year=today.year, today=today, program=program)
            if coordinator and year
            else None
        ),
        waiting=waiting,
        meetings=meetings,
        late=late,
        unconfirmed_rate_year=year.year
        if coordinator and year and not year.rate_confirmed
        else None,
        changes=digest_queries.changes_since(session, since, municipality_id),
    )


def _late_items(session: Session, today: date, municipality_id: int | None) -> list[LateItem]:
    found = []
    for code, name, placement in digest_queries.running_behind(
        session,
        plan_started_before=today - enrolment.ASSESSMENT_PLAN_DEADLINE,
        training_started_before=today - enrolment.WORKPLACE_TRAINING_DEADLINE,
        ending_by=today + ENDING_SOON,
        municipality_id=municipality_id,
    ):
        start = placement.started_on
        if placement.assessment_plan_on is None and enrolment.assessment_plan_due(start) < today:
            found.append(
                LateItem(code, name, Slip.ASSESSMENT_PLAN, enrolment.assessment_plan_due(start))
            )
        if (
            placement.workplace_training_on is None
            and enrolment.workplace_training_due(start) < today
        ):
            found.append(
                LateItem(
                    code, name, Slip.WORKPLACE_TRAINING, enrolment.workplace_training_due(start)
                )
            )
        if placement.planned_end_on <= today + ENDING_SOON:
            found.append(LateItem(code, name, Slip.ENDING, placement.planned_end_on))
    return sorted(found, key=lambda item: (item.due_on, item.reference_code, item.slip))
