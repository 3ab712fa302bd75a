"""Personnummer: validated with the `personnummer` package, stored in one normal form.

Accepts the usual written forms (YYYYMMDD-XXXX, YYMMDD-XXXX, with or without the dash, and
`+` for people over 100) and samordningsnummer. Stored as 12 digits, YYYYMMDDXXXX.
"""

from __future__ import annotations

from datetime import date

from personnummer.personnummer import Personnummer, PersonnummerException

from domain.choices import Gender
from domain.errors import RuleViolation
from domain.text import N_

# The target group is people of working age on sickness benefit or activity compensation.
MIN_AGE, MAX_AGE = 16, 70
NUMBER_REQUIRED = N_("Enter the participant's personal identity number.")


def normal_form(raw: str) -> str:
    """The 12-digit form of any valid number (no age check), or a RuleViolation."""
    cleaned = (raw or "").strip().replace(" ", "")
    if not cleaned:
        raise RuleViolation(NUMBER_REQUIRED, field="personal_identity_number")
    try:
        number = Personnummer(cleaned, {"allow_coordination_number": True})
    except PersonnummerException:
        raise RuleViolation(
            N_(
                "The personal identity number is not valid. Write it as YYYYMMDD-XXXX and "
                "check the last digit."
            ),
            field="personal_identity_number",
        ) from None
    return str(number.format(True))


def normalise_personal_identity_number(raw: str, *, today: date) -> str:
    """The 12-digit form, or a RuleViolation on the field `personal_identity_number`."""
    normal = normal_form(raw)
    born = date(int(normal[:4]), int(normal[4:6]), int(normal[6:8]) % 60 or 1)
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not MIN_AGE <= age <= MAX_AGE:
        raise RuleViolation(
            N_(
                "The personal identity number gives an age of %(age)s years; participants "
                "must be between %(min)s and %(max)s. Check the century."
            ),
            field="personal_identity_number",
            age=age,
            min=MIN_AGE,
            max=MAX_AGE,
        )
    return normal


def display_personal_identity_number(normal: str) -> str:
    """YYYYMMDD-XXXX, the form Försäkringskassan writes."""
    return f"{normal[:8]}-{normal[8:]}"


def legal_gender(normal: str) -> Gender:
    """Legal gender as the number shows it: the second-to-last digit, odd for men and even
    for women (as Skatteverket assigns them)."""
    return Gender.MALE if int(normal[-2]) % 2 else Gender.FEMALE
