"""What a person's name must be: some letters, and nothing invisible.

Judged by Unicode category, not by a list of characters: a name needs at least one letter
(L*), and may not hold control, format (zero-width spaces, byte-order marks, direction
marks), private-use, surrogate or unassigned characters, nor line or paragraph separators.
`-1`, ten zero-width spaces, a lone BOM or only emoji are not names.
"""

from __future__ import annotations

import unicodedata

from domain.errors import RuleViolation, checked_text
from domain.text import N_

NO_LETTER = N_("A name must contain at least one letter.")
INVISIBLE = N_("A name cannot contain invisible characters or control characters.")

# C*: control, format, surrogate, private use, unassigned; Zl/Zp: line and paragraph breaks.
_REFUSED_CATEGORIES = ("C", "Zl", "Zp")


def check_name(name: str) -> None:
    """Refuses a name without a letter or with an invisible or control character."""
    if any(unicodedata.category(c).startswith(_REFUSED_CATEGORIES) for c in name):
        raise RuleViolation(INVISIBLE, field="name")
    if not any(unicodedata.category(c).startswith("L") for c in name):
        raise RuleViolation(NO_LETTER, field="name")


def checked_name(name: str | None, limit: int, *, required: str) -> str:
    """The name as stored (stripped), or the first problem on the field `name`; `required`
    is the sentence for an empty name."""
    name = checked_text(name, limit, "name")
    if not name:
        raise RuleViolation(required, field="name")
    check_name(name)
    return name
