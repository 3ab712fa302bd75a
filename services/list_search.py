"""What a list's search box asked for, and the conditions that find it: a reference code (or
its beginning) for everyone, a personnummer or a name for those who may see personal data
(services.lists; a name by its blind index, storage.crypto)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, exists

from domain.access import Actor, check_searches_people
from domain.errors import RuleViolation
from domain.participants import MAX_NAME, name_words
from domain.personal_identity import normalise_personal_identity_number
from domain.text import N_
from storage.models import (
    Participant,
    ParticipantNameWord,
    Referral,
    name_word_digest,
    personal_identity_digest,
)

# Digits with a dash or plus before the last four: someone looking for a person.
_NUMBER = re.compile(r"\d{6}(\d{2})?[-+]?\d{4}")


@dataclass(frozen=True)
class Search:
    """What a search box asked for: a reference code (or its beginning), or a person."""

    code: str | None = None
    personal_identity_number: str | None = None
    name_words: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.code is None and self.personal_identity_number is None and not self.name_words

    @property
    def for_person(self) -> bool:
        return self.personal_identity_number is not None or bool(self.name_words)


def read_search(text: str | None, *, actor: Actor, today: date) -> Search:
    """A code as typed (any case), or a personnummer in any written form. Only those who
    may see personal data search for a person."""
    wanted = (text or "").strip()
    if not wanted:
        return Search()
    if _NUMBER.fullmatch(wanted.replace(" ", "")):
        check_searches_people(actor)
        number = normalise_personal_identity_number(wanted, today=today)
        return Search(personal_identity_number=number)
    if not any(c.isdigit() for c in wanted) and name_words(wanted):
        check_searches_people(actor)
        if len(wanted) > MAX_NAME:
            raise RuleViolation(N_("Write a shorter name."), field="q")
        return Search(name_words=tuple(name_words(wanted)))
    if len(wanted) > 20:
        raise RuleViolation(N_("Write a reference code, for example MM-2026-0042."), field="q")
    return Search(code=wanted.upper())


def _like_prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_WHOLE_CODE = re.compile(r"[A-Z]+-\d{4}-\d{4,}")


def matching(search: Search) -> list[ColumnElement[bool]]:
    if search.code is not None and _WHOLE_CODE.fullmatch(search.code):
        return [Referral.reference_code == search.code]  # the unique index: one look-up
    if search.code is not None:
        return [Referral.reference_code.like(_like_prefix(search.code), escape="\\")]
    if search.personal_identity_number is not None:
        return [
            Referral.participant.has(
                Participant.personal_identity_number_digest
                == personal_identity_digest(search.personal_identity_number)
            )
        ]
    if search.name_words:
        # Every word, each by its keyed hash; after withdrawn consent the municipality no
        # longer sees the name, so it does not find the referral by it either.
        found: list[ColumnElement[bool]] = [
            exists().where(
                ParticipantNameWord.referral_id == Referral.id,
                ParticipantNameWord.digest == name_word_digest(word),
            )
            for word in search.name_words
        ]
        return found
    return []
