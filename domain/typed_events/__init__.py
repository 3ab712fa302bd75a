"""The typed events: one frozen dataclass per kind of event (domain.events.EventKind), with
typed fields; `event_of` reads one back from the log's row. Record one with
services.history.record(session, RequestAccepted(...), at=…, actor=…)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, get_type_hints

from domain.events import ROW_FIELDS, DomainEvent, EventKind
from domain.typed_events.municipalities import (
    CapacitySet,
    ChatChannelSet,
    CostOutcomeEntered,
    DailyRateSet,
    FinsamFiguresEntered,
    FinsamReported,
    MunicipalityAdded,
    MunicipalityChanged,
    OfferSet,
    ProgramLoaded,
    RequisitionAttested,
    RequisitionPaid,
    RequisitionReturned,
    RequisitionSubmitted,
)
from domain.typed_events.people import (
    ChatLinked,
    ChatUnlinked,
    DemoRemoved,
    Invited,
    LoggedIn,
    PasswordReset,
    PasswordSet,
    RecoveryCodesRenewed,
    SecondFactorEnrolled,
    SecondFactorReset,
    SessionsEnded,
    UserAdded,
    UserChanged,
    UserDeactivated,
    UserReactivated,
    UserUnlocked,
)
from domain.typed_events.referrals import (
    AlternativePlanMade,
    AssessmentPlanDone,
    ConsentWithdrawn,
    DateCorrected,
    DocumentWritten,
    FinalReportReceived,
    MeetingBooked,
    MeetingHeld,
    MeetingMoved,
    ParticipantCorrected,
    PersonalDataPurged,
    PlacementEnded,
    PlacementExtended,
    PlacementStarted,
    PurgeRun,
    ReferralCreated,
    ReferralSubmitted,
    ReferralWithdrawn,
    RequestAccepted,
    RequestDeclined,
    RequestSent,
    WorkplaceTrainingStarted,
)

_ALL: tuple[type[DomainEvent], ...] = (
    ReferralCreated,
    ReferralSubmitted,
    RequestSent,
    RequestAccepted,
    RequestDeclined,
    ReferralWithdrawn,
    PlacementStarted,
    AssessmentPlanDone,
    WorkplaceTrainingStarted,
    PlacementExtended,
    PlacementEnded,
    FinalReportReceived,
    AlternativePlanMade,
    ParticipantCorrected,
    DateCorrected,
    MeetingBooked,
    MeetingMoved,
    MeetingHeld,
    DocumentWritten,
    ConsentWithdrawn,
    PersonalDataPurged,
    PurgeRun,
    CapacitySet,
    OfferSet,
    ChatChannelSet,
    MunicipalityAdded,
    MunicipalityChanged,
    ProgramLoaded,
    DailyRateSet,
    RequisitionSubmitted,
    RequisitionAttested,
    RequisitionReturned,
    RequisitionPaid,
    CostOutcomeEntered,
    FinsamFiguresEntered,
    FinsamReported,
    UserAdded,
    LoggedIn,
    ChatLinked,
    Invited,
    UserChanged,
    UserDeactivated,
    UserReactivated,
    UserUnlocked,
    PasswordSet,
    PasswordReset,
    SecondFactorEnrolled,
    SecondFactorReset,
    RecoveryCodesRenewed,
    ChatUnlinked,
    SessionsEnded,
    DemoRemoved,
)
__all__ = [
    "BY_KIND",
    "AlternativePlanMade",
    "AssessmentPlanDone",
    "CapacitySet",
    "ChatChannelSet",
    "ChatLinked",
    "ChatUnlinked",
    "ConsentWithdrawn",
    "CostOutcomeEntered",
    "DailyRateSet",
    "DateCorrected",
    "DemoRemoved",
    "DocumentWritten",
    "DomainEvent",
    "FinalReportReceived",
    "FinsamFiguresEntered",
    "FinsamReported",
    "Invited",
    "LoggedIn",
    "MeetingBooked",
    "MeetingHeld",
    "MeetingMoved",
    "MunicipalityAdded",
    "MunicipalityChanged",
    "OfferSet",
    "ParticipantCorrected",
    "PasswordReset",
    "PasswordSet",
    "PersonalDataPurged",
    "PlacementEnded",
    "PlacementExtended",
    "PlacementStarted",
    "ProgramLoaded",
    "PurgeRun",
    "RecoveryCodesRenewed",
    "ReferralCreated",
    "ReferralSubmitted",
    "ReferralWithdrawn",
    "RequestAccepted",
    "RequestDeclined",
    "RequestSent",
    "RequisitionAttested",
    "RequisitionPaid",
    "RequisitionReturned",
    "RequisitionSubmitted",
    "SecondFactorEnrolled",
    "SecondFactorReset",
    "SessionsEnded",
    "UserAdded",
    "UserChanged",
    "UserDeactivated",
    "UserReactivated",
    "UserUnlocked",
    "WorkplaceTrainingStarted",
    "event_of",
]

# One event type per kind of event (tests/test_notices.py checks every kind has one).
BY_KIND: dict[EventKind, type[DomainEvent]] = {cls.kind: cls for cls in _ALL}


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
        if item.name not in ROW_FIELDS and item.name in kept
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
