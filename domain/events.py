"""The kinds of event in the append-only log: one name per thing that happens.

Events carry codes, dates and choices only (never personal data), so the log survives a
purge and can be read by everyone who may see the referral it is about.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar, Protocol


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
    FINSAM_FIGURES_ENTERED = "finsam_figures_entered"
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


class LoggedEvent(Protocol):
    """What a sentence is made from: an entry of the event log (storage.models.Event), as
    domain.event_texts and domain.account_events describe it."""

    @property
    def kind(self) -> EventKind: ...

    @property
    def details(self) -> Mapping[str, Any] | None: ...

    @property
    def municipality_id(self) -> int | None: ...


# Housekeeping on a referral that changes nothing the digest shows.
NOT_NEWS = frozenset({EventKind.PERSONAL_DATA_PURGED})


# The typed events (domain.typed_events). Each is one thing that happened, with its own typed
# fields; the use case that makes it happen records it (services.history.record), and
# notices.bus.SUBSCRIBERS says what follows from it. The row's foreign keys (referral,
# municipality, the account it is about) are common to all; every other field is the event's
# own and is kept in the row's `details` under its own name (dates as ISO text), as the log
# has always kept it.

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
            if item.name in ROW_FIELDS:
                continue
            value = getattr(self, item.name)
            if item.metadata.get("omit_unless_set") and not value:
                continue
            kept[item.name] = _to_json(value)
        return kept


ROW_FIELDS = frozenset({"referral_id", "municipality_id", "subject_user_id"})


def _to_json(value: Any) -> Any:
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    return value
