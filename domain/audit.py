"""What the audit log says about one view of personal data: what was opened and which kinds
of personal data it showed. One name per thing, with its label (msgid) for the log review
page and the register extract."""

from __future__ import annotations

from dataclasses import dataclass
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
    # The investigator's own list, with each participant's name (issue 28).
    OWN_LIST = "own_list"
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
    # Not a kind of data but a mark on the row: the participant has skyddade
    # personuppgifter, so the log review flags every opening.
    PROTECTED_IDENTITY = "protected_identity"


SEEN_LABELS = {
    Seen.REFERRAL_PAGE: N_("Referral page"),
    Seen.REGISTER_EXTRACT: N_("Register extract"),
    Seen.LOG_SEARCH: N_("Search in the log"),
    Seen.LOG_SAMPLE: N_("Sample from the log"),
    Seen.LOG_EXPORT: N_("Export of the log"),
    Seen.PERSON_SEARCH: N_("Search for a person (personnummer or name)"),
    Seen.PARTICIPANT_FORM: N_("Correction of the participant's details"),
    Seen.PLAN: N_("Individual plan"),
    Seen.FINAL_REPORT: N_("Final documentation"),
    Seen.API_REFERRAL: N_("Referral read through the API"),
    Seen.VIEW: N_("Referral page"),
    Seen.OWN_LIST: N_("The investigator's own list (names)"),
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
AUDIT_FIELD_LABELS = {
    Field.PERSONAL_DETAILS: N_("personal details"),
    Field.NEEDS: N_("needs"),
    Field.DECLINE_COMMENTS: N_("decline comments"),
    Field.ACCESS_LOG: N_("access log"),
    Field.DOCUMENTATION: N_("plan and final documentation"),
    Field.PROTECTED_IDENTITY: N_("protected personal data"),
}

# The fields the referral page shows to those who may see personal data.
REFERRAL_PAGE_FIELDS = (Field.PERSONAL_DETAILS, Field.NEEDS, Field.DECLINE_COMMENTS)
# The form correcting the participant's details shows them, needs included.
PARTICIPANT_FORM_FIELDS = (Field.PERSONAL_DETAILS, Field.NEEDS)


def needs_reason(
    role: Role, *, acted_on_referral: bool, asking: bool, protected: bool = False
) -> bool:
    """Whether a viewer must give a short reason before the personal data is shown: the
    coordinator sees every referral, so when the setting asks for it, opening one they have
    not acted on needs a reason (written to the log); a protected participant's always does."""
    if role is not Role.COORDINATOR:
        return False
    return protected or (asking and not acted_on_referral)


@dataclass(frozen=True)
class ParticipantView:
    """Which of the participant's details one viewer is shown on the referral page, field by
    field against their need (README: who sees what). Access to the page is checked first."""

    name: bool
    personal_identity_number: bool
    phone: bool
    needs: bool
    decline_comments: bool
    protected: bool

    @property
    def fields(self) -> tuple[Field, ...]:
        """What the audit row records: the kinds of data actually shown, not what could be."""
        shown = []
        if self.name or self.personal_identity_number or self.phone:
            shown.append(Field.PERSONAL_DETAILS)
        if self.needs:
            shown.append(Field.NEEDS)
        if self.decline_comments:
            shown.append(Field.DECLINE_COMMENTS)
        if self.protected:
            shown.append(Field.PROTECTED_IDENTITY)
        return tuple(shown)


def participant_view(
    role: Role, *, protected: bool, has_phone: bool, has_needs: bool, has_decline_comments: bool
) -> ParticipantView:
    """FK (the investigator who made the referral, the coordinator) sees everything it holds,
    decline comments included, which may tell of health; the municipality asked or running
    the placement sees who to contact and what the participant needs, never another
    municipality's comment. Of a protected participant the site holds no name or phone, and
    only FK sees the personnummer."""
    fk = role in (Role.INVESTIGATOR, Role.COORDINATOR)
    return ParticipantView(
        name=not protected,
        personal_identity_number=fk or not protected,
        phone=has_phone and not protected,
        needs=has_needs,
        decline_comments=fk and has_decline_comments,
        protected=protected,
    )
