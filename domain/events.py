"""The kinds of event in the append-only log: one name per thing that happens.

Events carry codes, dates and choices only (never personal data), so the log survives a
purge and can be read by everyone who may see the referral it is about.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, get_type_hints


class EventKind(StrEnum):
    # A referral and its requests
    CREATED = "created"
    SUBMITTED = "submitted"
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    # A placement
    STARTED = "started"
    ASSESSMENT_PLAN = "assessment_plan"
    WORKPLACE_TRAINING = "workplace_training"
    EXTENDED = "extended"
    ENDED = "ended"
    FINAL_REPORT = "final_report"
    ALTERNATIVE_PLAN = "alternative_plan"
    # Corrections: which details or which date, never the personal data itself
    PARTICIPANT_CORRECTED = "participant_corrected"
    DATE_CORRECTED = "date_corrected"
    # Meetings of a placement
    MEETING_BOOKED = "meeting_booked"
    MEETING_MOVED = "meeting_moved"
    MEETING_HELD = "meeting_held"
    # Documents: that they were written, never what they say
    DOCUMENT_WRITTEN = "document_written"
    # A municipality
    CAPACITY_SET = "capacity_set"
    OFFER_SET = "offer_set"
    CHAT_CHANNEL_SET = "chat_channel_set"
    # The program
    PROGRAM_LOADED = "program_loaded"
    DAILY_RATE_SET = "daily_rate_set"
    # Requisition (domain.requisition)
    REQUISITION_SUBMITTED = "requisition_submitted"
    REQUISITION_ATTESTED = "requisition_attested"
    REQUISITION_RETURNED = "requisition_returned"
    REQUISITION_PAID = "requisition_paid"
    # Follow-up (domain.follow_up, domain.finsam)
    COST_OUTCOME_ENTERED = "cost_outcome_entered"
    FINSAM_REPORTED = "finsam_reported"
    # People
    USER_ADDED = "user_added"
    LOGGED_IN = "logged_in"
    CHAT_LINKED = "chat_linked"
    # Accounts (the administrator's history: domain.account_events)
    INVITED = "invited"
    USER_CHANGED = "user_changed"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    USER_UNLOCKED = "user_unlocked"
    PASSWORD_SET = "password_set"
    PASSWORD_RESET = "password_reset"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled"
    SECOND_FACTOR_RESET = "second_factor_reset"
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed"
    CHAT_UNLINKED = "chat_unlinked"
    SESSIONS_ENDED = "sessions_ended"
    DEMO_REMOVED = "demo_removed"
    MUNICIPALITY_ADDED = "municipality_added"
    MUNICIPALITY_CHANGED = "municipality_changed"
    # Privacy duties (issue 10)
    CONSENT_WITHDRAWN = "consent_withdrawn"
    PERSONAL_DATA_PURGED = "personal_data_purged"
    PURGE_RUN = "purge_run"


# Besides everything that happens to a referral, these change what the daily digest shows.
# Logins, chat links and new users do not.
DIGEST_KINDS = frozenset(
    {
        EventKind.CAPACITY_SET,
        EventKind.OFFER_SET,
        EventKind.DAILY_RATE_SET,
        EventKind.REQUISITION_SUBMITTED,
        EventKind.REQUISITION_ATTESTED,
        EventKind.REQUISITION_RETURNED,
        EventKind.REQUISITION_PAID,
    }
)

# The events about a request that chat tells the municipality and the investigator about.
REQUEST_KINDS = frozenset(
    {EventKind.REQUESTED, EventKind.ACCEPTED, EventKind.DECLINED, EventKind.WITHDRAWN}
)

# Housekeeping on a referral that changes nothing the digest shows.
NOT_NEWS = frozenset({EventKind.PERSONAL_DATA_PURGED})


# The typed events. Each is one thing that happened, with its own typed fields; the use case
# that makes it happen records it (services.history.record), and notices.SUBSCRIBERS says
# what follows from it. The row's foreign keys (referral, municipality, the account it is
# about) are common to all; every other field is the event's own and is kept in the row's
# `details` under its own name (dates as ISO text), as the log has always kept it.

OMIT_UNLESS_SET = {"omit_unless_set": True}  # kept in `details` only when truthy


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    kind: ClassVar[EventKind]
    referral_id: int | None = None
    municipality_id: int | None = None
    subject_user_id: int | None = None

    @classmethod
    def read_details(cls, kept: Mapping[str, Any]) -> Mapping[str, Any]:
        """The row's `details` as this type's fields (for a type that keeps them otherwise)."""
        return kept

    def details(self) -> dict[str, Any]:
        """The event's own fields, as the log's JSON keeps them."""
        kept: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            if item.name in _ROW_FIELDS:
                continue
            value = getattr(self, item.name)
            if item.metadata.get("omit_unless_set") and not value:
                continue
            kept[item.name] = _to_json(value)
        return kept


_ROW_FIELDS = frozenset({"referral_id", "municipality_id", "subject_user_id"})


def _to_json(value: Any) -> Any:
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    return value


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


# A municipality


@dataclass(frozen=True, kw_only=True)
class CapacitySet(DomainEvent):
    kind = EventKind.CAPACITY_SET
    previous: int | None
    capacity: int | None
    previous_state: str
    state: str


@dataclass(frozen=True, kw_only=True)
class OfferSet(DomainEvent):
    kind = EventKind.OFFER_SET


@dataclass(frozen=True, kw_only=True)
class ChatChannelSet(DomainEvent):
    """A municipality's Slack channel, or its Matrix room (`room` set); the log keeps the
    key of the one that was set: `channel` or `room`."""

    kind = EventKind.CHAT_CHANNEL_SET
    previous: str | None
    channel: str | None = None
    room: str | None = None
    in_matrix: bool = False

    def details(self) -> dict[str, Any]:
        place = {"room": self.room} if self.in_matrix else {"channel": self.channel}
        return {"previous": self.previous, **place}

    @classmethod
    def read_details(cls, kept: Mapping[str, Any]) -> Mapping[str, Any]:
        return {**kept, "in_matrix": "room" in kept}


@dataclass(frozen=True, kw_only=True)
class MunicipalityAdded(DomainEvent):
    kind = EventKind.MUNICIPALITY_ADDED
    code: str


@dataclass(frozen=True, kw_only=True)
class MunicipalityChanged(DomainEvent):
    kind = EventKind.MUNICIPALITY_CHANGED
    fields: tuple[str, ...]


# The program, requisitions, follow-up


@dataclass(frozen=True, kw_only=True)
class ProgramLoaded(DomainEvent):
    kind = EventKind.PROGRAM_LOADED
    program: str


@dataclass(frozen=True, kw_only=True)
class DailyRateSet(DomainEvent):
    kind = EventKind.DAILY_RATE_SET
    year: int
    previous_ore: int | None
    rate_ore: int


@dataclass(frozen=True, kw_only=True)
class _RequisitionEvent(DomainEvent):
    requisition_id: int
    period_first: date
    period_last: date


@dataclass(frozen=True, kw_only=True)
class RequisitionSubmitted(_RequisitionEvent):
    kind = EventKind.REQUISITION_SUBMITTED
    total_ore: int


@dataclass(frozen=True, kw_only=True)
class RequisitionAttested(_RequisitionEvent):
    kind = EventKind.REQUISITION_ATTESTED
    total_ore: int


@dataclass(frozen=True, kw_only=True)
class RequisitionReturned(_RequisitionEvent):
    kind = EventKind.REQUISITION_RETURNED


@dataclass(frozen=True, kw_only=True)
class RequisitionPaid(_RequisitionEvent):
    kind = EventKind.REQUISITION_PAID
    paid_on: date | None


@dataclass(frozen=True, kw_only=True)
class CostOutcomeEntered(DomainEvent):
    kind = EventKind.COST_OUTCOME_ENTERED
    year: int
    label: str | None
    through: date | None
    amount_ore: int


@dataclass(frozen=True, kw_only=True)
class FinsamReported(DomainEvent):
    kind = EventKind.FINSAM_REPORTED
    year: int
    half: int


# People and accounts


@dataclass(frozen=True, kw_only=True)
class UserAdded(DomainEvent):
    kind = EventKind.USER_ADDED
    role: str


@dataclass(frozen=True, kw_only=True)
class LoggedIn(DomainEvent):
    kind = EventKind.LOGGED_IN
    method: str


@dataclass(frozen=True, kw_only=True)
class ChatLinked(DomainEvent):
    kind = EventKind.CHAT_LINKED


@dataclass(frozen=True, kw_only=True)
class Invited(DomainEvent):
    kind = EventKind.INVITED
    until: datetime


@dataclass(frozen=True, kw_only=True)
class UserChanged(DomainEvent):
    kind = EventKind.USER_CHANGED
    fields: tuple[str, ...]
    role: str


@dataclass(frozen=True, kw_only=True)
class UserDeactivated(DomainEvent):
    kind = EventKind.USER_DEACTIVATED


@dataclass(frozen=True, kw_only=True)
class UserReactivated(DomainEvent):
    kind = EventKind.USER_REACTIVATED


@dataclass(frozen=True, kw_only=True)
class UserUnlocked(DomainEvent):
    kind = EventKind.USER_UNLOCKED


@dataclass(frozen=True, kw_only=True)
class PasswordSet(DomainEvent):
    kind = EventKind.PASSWORD_SET


@dataclass(frozen=True, kw_only=True)
class PasswordReset(DomainEvent):
    kind = EventKind.PASSWORD_RESET


@dataclass(frozen=True, kw_only=True)
class SecondFactorEnrolled(DomainEvent):
    kind = EventKind.SECOND_FACTOR_ENROLLED


@dataclass(frozen=True, kw_only=True)
class SecondFactorReset(DomainEvent):
    kind = EventKind.SECOND_FACTOR_RESET


@dataclass(frozen=True, kw_only=True)
class RecoveryCodesRenewed(DomainEvent):
    kind = EventKind.RECOVERY_CODES_RENEWED


@dataclass(frozen=True, kw_only=True)
class ChatUnlinked(DomainEvent):
    kind = EventKind.CHAT_UNLINKED


@dataclass(frozen=True, kw_only=True)
class SessionsEnded(DomainEvent):
    kind = EventKind.SESSIONS_ENDED
    count: int


@dataclass(frozen=True, kw_only=True)
class DemoRemoved(DomainEvent):
    kind = EventKind.DEMO_REMOVED


def _every_event_type() -> dict[EventKind, type[DomainEvent]]:
    found: dict[EventKind, type[DomainEvent]] = {}
    waiting = list(DomainEvent.__subclasses__())
    while waiting:
        cls = waiting.pop()
        waiting.extend(cls.__subclasses__())
        if "kind" in vars(cls):
            found[cls.kind] = cls
    return found


# One event type per kind of event (tests/test_events.py checks every kind has one).
BY_KIND: dict[EventKind, type[DomainEvent]] = _every_event_type()


def event_of(
    kind: EventKind,
    *,
    referral_id: int | None,
    municipality_id: int | None,
    subject_user_id: int | None,
    details: Mapping[str, Any] | None,
) -> DomainEvent:
    """The typed event a log row holds (the reverse of DomainEvent.details)."""
    cls = BY_KIND[kind]
    hints = get_type_hints(cls)
    kept = cls.read_details(details or {})
    own = {
        item.name: _from_json(hints[item.name], kept[item.name])
        for item in dataclasses.fields(cls)
        if item.name not in _ROW_FIELDS and item.name in kept
    }
    return cls(
        referral_id=referral_id,
        municipality_id=municipality_id,
        subject_user_id=subject_user_id,
        **own,
    )


def _from_json(hint: Any, value: Any) -> Any:
    if isinstance(value, str) and _admits(hint, datetime):
        return datetime.fromisoformat(value)
    if isinstance(value, str) and _admits(hint, date):
        return date.fromisoformat(value)
    if isinstance(value, list) and getattr(hint, "__origin__", None) is tuple:
        return tuple(value)
    return value


def _admits(hint: Any, wanted: type) -> bool:
    return hint is wanted or wanted in getattr(hint, "__args__", ())
