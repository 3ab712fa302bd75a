"""What the audit log says about one view of personal data: what was opened and which kinds
of personal data it showed. One name per thing, with its label (msgid) for the log review
page and the register extract."""

from __future__ import annotations

from enum import StrEnum

from domain.choices import Role
from domain.text import N_


class Seen(StrEnum):
    """The page or export that showed personal data (or searched the log)."""

    REFERRAL_PAGE = "referral_page"
    REGISTER_EXTRACT = "register_extract"
    LOG_SEARCH = "log_search"
    LOG_SAMPLE = "log_sample"
    LOG_EXPORT = "log_export"
    # Casework (issue 14): a list searched by personnummer (one row per referral found, or
    # one without a referral when none was), the form correcting the participant's details,
    # and the plan and final documentation (domain.documentation.DocumentKind's values).
    PERSON_SEARCH = "search"
    PARTICIPANT_FORM = "participant_form"
    PLAN = "plan"
    FINAL_REPORT = "final_report"
    # The open API (issue 26): a token's reading of one referral with its participant.
    API_REFERRAL = "api_referral"
    # Rows written before the log said what was seen.
    VIEW = "view"


class Field(StrEnum):
    """Kinds of personal data a view showed."""

    PERSONAL_DETAILS = "personal_details"  # name, personnummer, phone
    NEEDS = "needs"
    DECLINE_COMMENTS = "decline_comments"
    ACCESS_LOG = "access_log"  # who viewed whose data: personal data about staff and participants
    DOCUMENTATION = "documentation"  # the individual plan's and final documentation's text


SEEN_LABELS = {
    Seen.REFERRAL_PAGE: N_("Referral page"),
    Seen.REGISTER_EXTRACT: N_("Register extract"),
    Seen.LOG_SEARCH: N_("Search in the log"),
    Seen.LOG_SAMPLE: N_("Sample from the log"),
    Seen.LOG_EXPORT: N_("Export of the log"),
    Seen.PERSON_SEARCH: N_("Search by personnummer"),
    Seen.PARTICIPANT_FORM: N_("Correction of the participant's details"),
    Seen.PLAN: N_("Individual plan"),
    Seen.FINAL_REPORT: N_("Final documentation"),
    Seen.API_REFERRAL: N_("Referral read through the API"),
    Seen.VIEW: N_("Referral page"),
}
# What showed a participant's personal data (the rest searched the log itself): the views
# the log review flags and samples.
PERSONAL_DATA_VIEWS = frozenset(
    {
        Seen.REFERRAL_PAGE,
        Seen.VIEW,
        Seen.REGISTER_EXTRACT,
        Seen.PERSON_SEARCH,
        Seen.PARTICIPANT_FORM,
        Seen.PLAN,
        Seen.FINAL_REPORT,
        Seen.API_REFERRAL,
    }
)
FIELD_LABELS = {
    Field.PERSONAL_DETAILS: N_("personal details"),
    Field.NEEDS: N_("needs"),
    Field.DECLINE_COMMENTS: N_("decline comments"),
    Field.ACCESS_LOG: N_("access log"),
    Field.DOCUMENTATION: N_("plan and final documentation"),
}

# The fields the referral page shows to those who may see personal data.
REFERRAL_PAGE_FIELDS = (Field.PERSONAL_DETAILS, Field.NEEDS, Field.DECLINE_COMMENTS)
# The form correcting the participant's details shows them, needs included.
PARTICIPANT_FORM_FIELDS = (Field.PERSONAL_DETAILS, Field.NEEDS)


def needs_reason(role: Role, *, acted_on_referral: bool, asking: bool) -> bool:
    """Whether a viewer must give a short reason before the personal data is shown: the
    coordinator sees every referral, so when the setting asks for it, opening one they have
    not acted on needs a reason (written to the log)."""
    return asking and role is Role.COORDINATOR and not acted_on_referral
