"""The kinds of event in the append-only log: one name per thing that happens.

Events carry codes, dates and choices only (never personal data), so the log survives a
purge and can be read by everyone who may see the referral it is about.
"""

from __future__ import annotations

from enum import StrEnum


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
