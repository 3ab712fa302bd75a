"""SQLAlchemy 2 models. Personal data lives in its own table (`participant`) so that it can be
purged (gallras) while the referral and its statistics survive.

Money is whole öre (BigInteger); dates are dates; times are timezone-aware UTC.

One module per concept; this package re-exports every name so that
`from storage.models import X` works wherever X lives. Importing the package registers every
table on `Base.metadata`.
"""

from storage.models.api import ApiToken, WebhookSubscription
from storage.models.base import ALTERNATIVE_PLAN_MISSING, FINAL_REPORT_MISSING, NAMING, Base, _enum
from storage.models.figures import (
    AcceptedMeeting,
    DayFigure,
    DayFigureTotal,
    KeptWorkItem,
    WorkCount,
    _RunningTotals,
)
from storage.models.follow_up import FinsamAssociationYear, FinsamReport
from storage.models.municipalities import Municipality, PlaceCount
from storage.models.outbox import (
    ChatCursor,
    ChatOutbox,
    ChatRequestSeen,
    MatrixDirectRoom,
    NoticePreference,
)
from storage.models.people import (
    ChatLink,
    Invitation,
    LoginThrottle,
    RecoveryCode,
    Submission,
    User,
    WebSession,
)
from storage.models.place_ends import PlaceEnd
from storage.models.place_summary import PlaceSummary
from storage.models.placements import Extension, Meeting, Placement, PlacementDocument
from storage.models.programs import (
    CompensableDayRow,
    DailyRateDecision,
    PhaseRow,
    ProgramRow,
    ProgramYearRow,
)
from storage.models.referrals import (
    NAME_WORD,
    PERSONAL_IDENTITY_NUMBER,
    Participant,
    ParticipantNameWord,
    PlacementRequest,
    ReferenceCounter,
    Referral,
    name_word_digest,
    personal_identity_digest,
)
from storage.models.report_figures import ReportDay
from storage.models.requisition import CostOutcome, Requisition, RequisitionLine
from storage.models.trail import (
    AuditEntry,
    AuditPurgePermit,
    Event,
    LogReview,
    TrailCheckpoint,
    TrailVerification,
    _append_only,
)

__all__ = [
    "ALTERNATIVE_PLAN_MISSING",
    "FINAL_REPORT_MISSING",
    "NAME_WORD",
    "NAMING",
    "PERSONAL_IDENTITY_NUMBER",
    "AcceptedMeeting",
    "ApiToken",
    "AuditEntry",
    "AuditPurgePermit",
    "Base",
    "ChatCursor",
    "ChatLink",
    "ChatOutbox",
    "ChatRequestSeen",
    "CompensableDayRow",
    "CostOutcome",
    "DailyRateDecision",
    "DayFigure",
    "DayFigureTotal",
    "Event",
    "Extension",
    "FinsamAssociationYear",
    "FinsamReport",
    "Invitation",
    "KeptWorkItem",
    "LogReview",
    "LoginThrottle",
    "MatrixDirectRoom",
    "Meeting",
    "Municipality",
    "NoticePreference",
    "Participant",
    "ParticipantNameWord",
    "PhaseRow",
    "PlaceCount",
    "PlaceEnd",
    "PlaceSummary",
    "Placement",
    "PlacementDocument",
    "PlacementRequest",
    "ProgramRow",
    "ProgramYearRow",
    "RecoveryCode",
    "ReferenceCounter",
    "Referral",
    "ReportDay",
    "Requisition",
    "RequisitionLine",
    "Submission",
    "TrailCheckpoint",
    "TrailVerification",
    "User",
    "WebSession",
    "WebhookSubscription",
    "WorkCount",
    "_RunningTotals",
    "_append_only",
    "_enum",
    "name_word_digest",
    "personal_identity_digest",
]
