"""The typed events of a referral, its requests and its placement."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from domain.events import OMIT_UNLESS_SET, DomainEvent, EventKind

# A referral and its requests


@dataclass(frozen=True, kw_only=True)
class ReferralCreated(DomainEvent):
    kind = EventKind.CREATED
    code: str


@dataclass(frozen=True, kw_only=True)
class ReferralSubmitted(DomainEvent):
    kind = EventKind.SUBMITTED


@dataclass(frozen=True, kw_only=True)
class RequestSent(DomainEvent):
    kind = EventKind.REQUESTED
    request_id: int


@dataclass(frozen=True, kw_only=True)
class RequestAccepted(DomainEvent):
    kind = EventKind.ACCEPTED
    request_id: int
    meeting_on: date | None
    over_capacity: bool = field(default=False, metadata=OMIT_UNLESS_SET)


@dataclass(frozen=True, kw_only=True)
class RequestDeclined(DomainEvent):
    kind = EventKind.DECLINED
    request_id: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReferralWithdrawn(DomainEvent):
    kind = EventKind.WITHDRAWN
    # The request it closed, if any: chat updates the municipality's message about it.
    request_id: int | None = None


# A placement


@dataclass(frozen=True, kw_only=True)
class PlacementStarted(DomainEvent):
    kind = EventKind.STARTED
    started_on: date
    planned_end_on: date | None


@dataclass(frozen=True, kw_only=True)
class AssessmentPlanDone(DomainEvent):
    kind = EventKind.ASSESSMENT_PLAN
    done_on: date


@dataclass(frozen=True, kw_only=True)
class WorkplaceTrainingStarted(DomainEvent):
    kind = EventKind.WORKPLACE_TRAINING
    started_on: date


@dataclass(frozen=True, kw_only=True)
class PlacementExtended(DomainEvent):
    kind = EventKind.EXTENDED
    previous_end_on: date | None
    new_end_on: date


@dataclass(frozen=True, kw_only=True)
class PlacementEnded(DomainEvent):
    kind = EventKind.ENDED
    ended_on: date
    outcome: str


@dataclass(frozen=True, kw_only=True)
class FinalReportReceived(DomainEvent):
    kind = EventKind.FINAL_REPORT
    received_on: date


@dataclass(frozen=True, kw_only=True)
class AlternativePlanMade(DomainEvent):
    kind = EventKind.ALTERNATIVE_PLAN
    planned_on: date


@dataclass(frozen=True, kw_only=True)
class ParticipantCorrected(DomainEvent):
    kind = EventKind.PARTICIPANT_CORRECTED
    fields: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class DateCorrected(DomainEvent):
    kind = EventKind.DATE_CORRECTED
    field: str
    previous: date | None
    corrected: date
    reason: str
    # What moved with it: date name -> [before, after] as ISO text.
    also: dict[str, list[str | None]] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class MeetingBooked(DomainEvent):
    kind = EventKind.MEETING_BOOKED
    meeting_id: int
    meeting_kind: str
    on: date | None


@dataclass(frozen=True, kw_only=True)
class MeetingMoved(DomainEvent):
    kind = EventKind.MEETING_MOVED
    meeting_id: int
    meeting_kind: str
    on: date | None
    previous: date | None


@dataclass(frozen=True, kw_only=True)
class MeetingHeld(DomainEvent):
    kind = EventKind.MEETING_HELD
    meeting_id: int
    meeting_kind: str
    on: date | None
    held_on: date


@dataclass(frozen=True, kw_only=True)
class DocumentWritten(DomainEvent):
    kind = EventKind.DOCUMENT_WRITTEN
    document: str


@dataclass(frozen=True, kw_only=True)
class ConsentWithdrawn(DomainEvent):
    kind = EventKind.CONSENT_WITHDRAWN
    withdrawn_on: date | None


@dataclass(frozen=True, kw_only=True)
class PersonalDataPurged(DomainEvent):
    kind = EventKind.PERSONAL_DATA_PURGED


@dataclass(frozen=True, kw_only=True)
class PurgeRun(DomainEvent):
    kind = EventKind.PURGE_RUN
    referrals: int
    audit_rows: int
