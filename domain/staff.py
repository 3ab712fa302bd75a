"""Staff contact details: a phone number and a title, so that the investigator and the
municipality's contacts can reach each other about a referral. Never a participant's."""

from __future__ import annotations

import re

from domain.errors import RuleViolation, checked_text
from domain.text import N_

MAX_PHONE, MAX_TITLE = 40, 100
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]*")


def checked_contact_details(phone: str | None, title: str | None) -> tuple[str, str]:
    """(phone, title) as stored: trimmed; a phone number of digits, spaces, dashes,
    brackets and a leading +; both may be left empty."""
    phone = checked_text(phone, MAX_PHONE, "phone")
    if phone and (not _PHONE.fullmatch(phone) or sum(c.isdigit() for c in phone) < 5):
        raise RuleViolation(
            N_("Write the phone number with digits, for example 044-13 50 00."), field="phone"
        )
    return phone, checked_text(title, MAX_TITLE, "title")
