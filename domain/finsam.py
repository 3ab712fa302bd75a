"""Underlag for Uppföljning Finsam, the national follow-up of the coordination associations
(SUS's successor). It takes no personal data: per insats the number of participants by
gender — active, new and ended in the year (or half-year) — the budgeted number of
participants, and the budget and utfall.

Gender is read from the personnummer when the figure is computed: its second-to-last digit
is odd for men and even for women. Once the figures are reported they are stored, so that
they stay the same after the participants' personal data is purged (gallring); a
participant whose data is already purged counts as gender unknown in a new computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.errors import RuleViolation
from domain.money import Money
from domain.text import N_

# In the stored 12-digit form YYYYMMDDNNGC, the gender digit G is the 11th (1-based).
GENDER_DIGIT = 11


class Gender(StrEnum):
    WOMEN = "women"
    MEN = "men"
    UNKNOWN = "unknown"  # personal data purged


GENDER_LABELS = {
    Gender.WOMEN: N_("Women"),
    Gender.MEN: N_("Men"),
    Gender.UNKNOWN: N_("Gender unknown (personal data purged)"),
}


def gender_of_digit(digit: str | None) -> Gender:
    """The second-to-last digit of a personnummer: odd for men, even for women."""
    if digit is None or not digit.isdigit():
        return Gender.UNKNOWN
    return Gender.MEN if int(digit) % 2 else Gender.WOMEN


@dataclass(frozen=True)
class ByGender:
    women: int = 0
    men: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.women + self.men + self.unknown

    def count(self, gender: Gender) -> int:
        return {Gender.WOMEN: self.women, Gender.MEN: self.men, Gender.UNKNOWN: self.unknown}[
            gender
        ]


def by_gender(counts: dict[Gender, int]) -> ByGender:
    return ByGender(
        counts.get(Gender.WOMEN, 0), counts.get(Gender.MEN, 0), counts.get(Gender.UNKNOWN, 0)
    )


@dataclass(frozen=True)
class FinsamFigures:
    year: int
    half: int | None  # 1 or 2 for a half-year, None for the whole year
    first: date
    last: date
    active: ByGender
    new: ByGender
    ended: ByGender
    budgeted_participants: int
    budget: Money  # the program's whole budget for the year (placements and other lines)
    accrued: Money  # utfall to the period's end (or today, when earlier)
    rate_confirmed: bool
    reported_at: datetime | None = None  # when stored as reported; None: computed now


def period_of(year: int, half: int | None) -> tuple[date, date]:
    if half is None:
        return date(year, 1, 1), date(year, 12, 31)
    if half not in (1, 2):
        raise RuleViolation(N_("The half-year is 1 or 2."), field="half")
    return (
        (date(year, 1, 1), date(year, 6, 30))
        if half == 1
        else (date(year, 7, 1), date(year, 12, 31))
    )
