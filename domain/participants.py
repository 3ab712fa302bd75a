"""The participant's details as FK enters them, and the consent to share them: checked here,
once, for the use case and for the form that shows every problem at once."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from domain.errors import RuleViolation, checked_text
from domain.names import checked_name
from domain.personal_identity import normalise_personal_identity_number
from domain.text import N_

MAX_NAME, MAX_PHONE, MAX_TEXT = 200, 40, 5000

NAME_REQUIRED = N_("Enter the participant's name.")
BENEFIT_REQUIRED = N_("Choose the participant's benefit.")
CONSENT_REQUIRED = N_(
    "The participant's consent to share information between Försäkringskassan and the "
    "municipality must be recorded, with its date."
)
CONSENT_DATE_REQUIRED = N_("Enter the date the participant gave consent.")
CONSENT_IN_FUTURE = N_("The date of consent cannot be in the future.")
# Names only the code: the investigator may know that a referral exists, and what it holds is
# shown on its page to those allowed to see it.
ALREADY_OPEN = N_(
    "This person already has an open referral, %(code)s. A person can have one open referral "
    "at a time: follow that one up, or withdraw it first."
)


# The details by name, as a correction lists them (the values stay out of the history).
DETAIL_LABELS = {
    "protected_identity": N_("Protected personal data"),
    "name": N_("Name"),
    "personal_identity_number": N_("Personal identity number"),
    "phone": N_("Phone"),
    "needs": N_("What the participant needs and wants"),
}


@dataclass(frozen=True)
class ParticipantDetails:
    name: str
    personal_identity_number: str
    phone: str = ""
    needs: str = ""
    # Skyddade personuppgifter (sekretessmarkering, skyddad folkbokföring, fingerade
    # personuppgifter): the personnummer only, no name or phone, whatever was typed.
    protected: bool = False


def checked_participant(details: ParticipantDetails, *, today: date) -> ParticipantDetails:
    """The details as stored (trimmed, personnummer in its normal form), or the first
    problem as a RuleViolation on its field. A protected participant's name and phone are
    dropped here: the investigator tells the municipality in person or by FK's own secure
    channel, and the site never holds them."""
    if details.protected:
        number = normalise_personal_identity_number(details.personal_identity_number, today=today)
        needs = checked_text(details.needs, MAX_TEXT, "needs")
        return ParticipantDetails("", number, "", needs, protected=True)
    name = checked_name(details.name, MAX_NAME, required=NAME_REQUIRED)
    return ParticipantDetails(
        name=name,
        personal_identity_number=normalise_personal_identity_number(
            details.personal_identity_number, today=today
        ),
        phone=checked_text(details.phone, MAX_PHONE, "phone"),
        needs=checked_text(details.needs, MAX_TEXT, "needs"),
    )


_WORD = re.compile(r"[^\W\d_]+")


def name_words(text: str) -> list[str]:
    """The words a name is found by: case, accents written apart (NFKC) and hyphens do not
    matter; å, ä and ö stay letters of their own, as in Swedish."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    return sorted(set(_WORD.findall(normal)))


def check_consent(consent_given: bool, consent_on: date | None, today: date) -> None:
    """No request is sent without the participant's recorded consent."""
    if not consent_given or consent_on is None:
        raise RuleViolation(CONSENT_REQUIRED, field="consent_given")
    if consent_on > today:
        raise RuleViolation(CONSENT_IN_FUTURE, field="consent_on")
