"""Underlag for Uppföljning Finsam, the national follow-up of the coordination associations
(SUS's successor). It takes no personal data: per insats the number of participants by
gender — active, new and ended in the year (or half-year) — the budgeted number of
participants, and the budget and utfall.

Gender is the legal gender the referral keeps from the personnummer when it is made (its
second-to-last digit: odd for men, even for women), which the purge (gallring) leaves, so a
figure computed after the participant's personal data is gone is the same as before. Once
the figures are reported they are stored as well. Only referrals made before the gender was
kept, if any, count as gender unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.choices import Gender as LegalGender
from domain.errors import RuleViolation
from domain.money import Money
from domain.text import N_


class Gender(StrEnum):
    WOMEN = "women"
    MEN = "men"
    UNKNOWN = "unknown"  # not kept


GENDER_LABELS = {
    Gender.WOMEN: N_("Women"),
    Gender.MEN: N_("Men"),
    Gender.UNKNOWN: N_("Gender unknown (personal data purged)"),
}


def finsam_gender(legal: LegalGender | str | None) -> Gender:
    """The Finsam count a referral's kept legal gender goes into."""
    if legal is None:
        return Gender.UNKNOWN
    return Gender.MEN if LegalGender(legal) is LegalGender.MALE else Gender.WOMEN


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
