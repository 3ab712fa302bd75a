"""What the daily digest says, as data: free places, what is waiting and what is slipping.

The coordinator's digest covers all municipalities and the budget; a municipality's digest
only its own places, requests and placements. Reference codes, municipalities, dates and
counts only. It is built by services.digest and rendered by the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.availability import MunicipalityPlaces
from domain.budget import YearBudget
from domain.deadlines import DeadlineSettings, Slip
from domain.requisition import Period


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


@dataclass(frozen=True)
class LateItem:
    reference_code: str
    municipality: str
    slip: Slip
    due_on: date


@dataclass(frozen=True)
class RequisitionDue:
    """A requisition basis waiting: for attestation, or not yet submitted (domain.requisition)."""

    municipality: str
    period: Period


@dataclass(frozen=True)
class Digest:
    day: date
    municipality_id: int | None  # None: the coordinator's digest
    settings: DeadlineSettings
    places: tuple[MunicipalityPlaces, ...]
    budget: YearBudget | None  # the coordinator's only, within a program year
    waiting: tuple[WaitingRequest, ...]
    meetings: tuple[UpcomingMeeting, ...]
    late: tuple[LateItem, ...]
    unconfirmed_rate_year: int | None
    changes: int  # events since the previous digest
    # Requisitions: bases waiting for attestation (the coordinator's), and ended periods not
    # yet submitted (every municipality's for the coordinator, its own for a municipality).
    requisitions_waiting: tuple[RequisitionDue, ...] = ()
    unsubmitted: tuple[RequisitionDue, ...] = ()
    returned: tuple[RequisitionDue, ...] = ()  # sent back to the municipality to correct

    @property
    def quiet(self) -> bool:
        """Nothing waiting, nothing slipping and nothing changed: "inget nytt"."""
        return not (
            self.waiting
            or self.meetings
            or self.late
            or self.unconfirmed_rate_year
            or self.changes
            or self.requisitions_waiting
            or self.unsubmitted
            or self.returned
        )
