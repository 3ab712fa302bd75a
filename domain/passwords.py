"""What a password must be: long enough, and not easy to guess.

Guessability is judged by zxcvbn (the strength estimator from Dropbox), fed with the person's
own name and e-mail address and with Swedish words people often build passwords from, which
its English dictionaries do not know. The explanation is ours, in whole Swedish sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from domain.errors import RuleViolation
from domain.text import N_, plain_letters

MIN_LENGTH = 12
MAX_LENGTH = 200
# zxcvbn's score: 0 (too guessable) … 4 (very unguessable); 3 resists an offline attack on a
# slow hash and certainly an online one.
MIN_SCORE = 3
# zxcvbn slows down on very long input; the first characters decide the estimate anyway.
ESTIMATED_LENGTH = 100

COMMON_SWEDISH = (
    "lösenord",
    "losenord",
    "hemligt",
    "hemlig",
    "välkommen",
    "valkommen",
    "sommar",
    "vinter",
    "hösten",
    "hosten",
    "våren",
    "varen",
    "sverige",
    "skåne",
    "skane",
    "möjlighetsmodellen",
    "mojlighetsmodellen",
    "försäkringskassan",
    "forsakringskassan",
    "samordningsförbundet",
    "kommun",
    "bromölla",
    "bromolla",
    "kristianstad",
    "osby",
    "göinge",
    "goinge",
    # The program's own words, which anyone who knows the program would try first.
    "demo",
    "lösen",
    "losen",
    "nordost",
    "sfsno",
    "finsam",
    "anmälan",
    "anmalan",
    "rekvisition",
    "deltagare",
    "samordnare",
    "utredare",
    "kontaktperson",
    "trepartssamtal",
    "träningsplats",
    "traningsplats",
)
# Published in the README and printed by `mm demo`: the demo accounts' password, which no
# real account may have (nor a password built around it).
DEMO_PASSWORD = "demo-losen-2026"

PUBLISHED = N_(
    "The password is published in the instructions for this program and cannot be used for "
    "a real account. Choose another one."
)
TOO_SHORT = N_("The password must be at least %(min)s characters long.")
TOO_LONG = N_("The password can be at most %(max)s characters long.")
PERSONAL = N_("The password must not contain your name or your e-mail address.")
PROGRAM_WORDS = N_(
    "The password is built from this program's own words, which are easy to guess. Use "
    "several words that do not belong together."
)
# What must be left of a password, in letters, once the program's words are taken out.
MIN_OWN_LETTERS = 6
GUESSABLE = N_(
    "The password is too easy to guess. Use several words that do not belong together, "
    "for example four words with hyphens between them."
)
# zxcvbn's warnings, for a more precise Swedish explanation.
WARNINGS = {
    'Repeats like "aaa" are easy to guess.': N_(
        "The password repeats the same characters, which makes it easy to guess. Use several "
        "words that do not belong together."
    ),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': N_(
        "The password repeats the same characters, which makes it easy to guess. Use several "
        "words that do not belong together."
    ),
    "Sequences like abc or 6543 are easy to guess.": N_(
        "The password is a sequence such as abc or 6543, which is easy to guess. Use several "
        "words that do not belong together."
    ),
    "This is a top-10 common password.": N_(
        "The password is one of the most common passwords. Choose another one."
    ),
    "This is a top-100 common password.": N_(
        "The password is one of the most common passwords. Choose another one."
    ),
    "This is a very common password.": N_(
        "The password is one of the most common passwords. Choose another one."
    ),
    "This is similar to a commonly used password.": N_(
        "The password is too much like a common password. Choose another one."
    ),
    "Dates are often easy to guess.": N_(
        "Dates and years are easy to guess. Use several words that do not belong together."
    ),
    "Recent years are easy to guess.": N_(
        "Dates and years are easy to guess. Use several words that do not belong together."
    ),
}


def _personal_parts(personal: Iterable[str]) -> list[str]:
    """Name words and the e-mail address's words, at least three letters long."""
    parts: list[str] = []
    for value in personal:
        value = plain_letters(value or "")
        if not value:
            continue
        parts.append(value)
        parts += [p for p in re.split(r"[^a-z0-9]+", value) if len(p) >= 3]
    return parts


def _letters_and_digits(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", plain_letters(text))


def _only_program_words(password: str) -> bool:
    """True when little but the program's words is left, digits and punctuation aside:
    "Möjlighetsmodellen-Kristianstad-2026" passes zxcvbn, but not an attacker's first list."""
    rest = plain_letters(password)
    for word in sorted({plain_letters(w) for w in COMMON_SWEDISH}, key=len, reverse=True):
        rest = rest.replace(word, "")
    return len(re.sub(r"[^a-z]+", "", rest)) < MIN_OWN_LETTERS


def check_password_strength(
    password: str, *, personal: Iterable[str] = (), demo: bool = False
) -> None:
    """Refuses a password that is too short, too long, published, personal or guessable, with
    the reason. `personal`: the person's name and e-mail address; `demo`: the account is a
    demo account, the only kind that may have the published demo password."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise RuleViolation(TOO_SHORT, field="password", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise RuleViolation(TOO_LONG, field="password", max=MAX_LENGTH)
    if not password.strip():
        raise RuleViolation(GUESSABLE, field="password")
    if demo and password == DEMO_PASSWORD:
        return  # published on purpose: demo accounts are for trying the program out
    if _letters_and_digits(DEMO_PASSWORD) in _letters_and_digits(password):
        raise RuleViolation(PUBLISHED, field="password")
    if _only_program_words(password):
        raise RuleViolation(PROGRAM_WORDS, field="password")
    parts = _personal_parts(personal)
    plain = plain_letters(password)
    if any(part in plain for part in parts if len(part) >= 4 or part == plain):
        raise RuleViolation(PERSONAL, field="password")
    # zxcvbn's dictionaries are some 12 MB: loaded by the first password checked, not by
    # every web worker that never sees one.
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=[*parts, *COMMON_SWEDISH])
    if result["score"] < MIN_SCORE:
        warning = WARNINGS.get(result["feedback"].get("warning") or "", GUESSABLE)
        raise RuleViolation(warning, field="password")
