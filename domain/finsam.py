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
    association: AssociationFigures | None = None  # None: not entered for the year
    insats: str = ""  # the program's name, as the report stored it
    attributes: InsatsAttributes | None = None


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


# ---- the national shape (issue 25) ---------------------------------------------------------


class TargetGroup(StrEnum):
    """Målgrupp in Uppföljning Finsam: an insats for individuals or across organisations."""

    INDIVIDUAL = "individual"  # individinriktad
    STRUCTURAL = "structural"  # strukturövergripande


TARGET_GROUP_LABELS = {
    TargetGroup.INDIVIDUAL: N_("Individual-oriented"),
    TargetGroup.STRUCTURAL: N_("Structural"),
}


@dataclass(frozen=True)
class InsatsAttributes:
    """The insats as the national screens describe it (the settings file's [finsam] table)."""

    focus: str = ""  # inriktning
    target_group: TargetGroup = TargetGroup.INDIVIDUAL
    follow_up_method: str = ""  # uppföljningsmetod
    esf_funded: bool = False


@dataclass(frozen=True)
class AssociationFigures:
    """The association's own figures for a year, entered on the Finsam page: not ours to
    compute (tilldelade medel, eget kapital, the administration's budget and utfall)."""

    year: int
    allocated: Money
    equity: Money
    administration_budget: Money
    administration_utfall: Money


def check_association_figures(figures: AssociationFigures) -> None:
    """Allocated funds and the administration's figures are never negative; equity may be."""
    for name, amount in (
        ("allocated", figures.allocated),
        ("administration_budget", figures.administration_budget),
        ("administration_utfall", figures.administration_utfall),
    ):
        if amount.ore < 0:
            raise RuleViolation(N_("Enter an amount of zero kronor or more."), field=name)


# One field of the national screens: its key, and its value as the snapshot keeps it (whole
# numbers for counts, öre for money, text, a flag, or None when not entered).
FieldValue = int | str | bool | None


def national_fields(figures: FinsamFigures) -> list[tuple[str, FieldValue]]:
    """Every field in the order of the national screens: the association, then the insats,
    then its participants by gender. A snapshot of these is what a report stores."""
    association = figures.association
    attributes = figures.attributes or InsatsAttributes()
    fields: list[tuple[str, FieldValue]] = [
        ("allocated", association.allocated.ore if association else None),
        ("equity", association.equity.ore if association else None),
        ("administration_budget", association.administration_budget.ore if association else None),
        ("administration_utfall", association.administration_utfall.ore if association else None),
        ("insats", figures.insats),
        ("focus", attributes.focus),
        ("target_group", attributes.target_group.value),
        ("follow_up_method", attributes.follow_up_method),
        ("esf_funded", attributes.esf_funded),
        ("budget", figures.budget.ore),
        ("utfall", figures.accrued.ore),
        ("budgeted_participants", figures.budgeted_participants),
    ]
    for kind, group in (("active", figures.active), ("new", figures.new), ("ended", figures.ended)):
        fields += [(f"{kind}_{g.value}", group.count(g)) for g in Gender]
    return fields


def changes(
    previous: dict[str, FieldValue], current: list[tuple[str, FieldValue]]
) -> list[tuple[str, FieldValue, FieldValue]]:
    """The fields whose value differs from the previous report, in the screens' order: what
    the administrator looks at twice. A field the previous report lacked counts as changed."""
    return [(key, previous.get(key), value) for key, value in current if previous.get(key) != value]


def previous_period(year: int, half: int | None) -> tuple[int, int | None]:
    """The period reported before this one: the year before, or the half-year before."""
    if half is None:
        return year - 1, None
    return (year, 1) if half == 2 else (year - 1, 2)


def association_of(snapshot: dict[str, FieldValue], year: int) -> AssociationFigures | None:
    """The association's figures as a report stored them (None when none were entered)."""
    keys = ("allocated", "equity", "administration_budget", "administration_utfall")
    amounts = [snapshot.get(k) for k in keys]
    if any(not isinstance(a, int) or isinstance(a, bool) for a in amounts):
        return None
    return AssociationFigures(year, *(Money(int(a or 0)) for a in amounts))


def attributes_of(snapshot: dict[str, FieldValue]) -> InsatsAttributes:
    """The insats's attributes as a report stored them."""
    return InsatsAttributes(
        focus=str(snapshot.get("focus") or ""),
        target_group=TargetGroup(str(snapshot.get("target_group") or TargetGroup.INDIVIDUAL)),
        follow_up_method=str(snapshot.get("follow_up_method") or ""),
        esf_funded=snapshot.get("esf_funded") is True,
    )


# The national screens' words for each field (also what the diff against the last report
# names), in the screens' order; the amounts are kept in öre.
ASSOCIATION_FIELDS = {
    "allocated": N_("Allocated funds"),
    "equity": N_("Equity"),
    "administration_budget": N_("Administration, budget"),
    "administration_utfall": N_("Administration, utfall"),
}
INSATS_FIELDS = {
    "insats": N_("Insats"),
    "focus": N_("Focus"),
    "target_group": N_("Target group"),
    "follow_up_method": N_("Follow-up method"),
    "esf_funded": N_("ESF funding"),
    "budget": N_("Budget"),
    "utfall": N_("Utfall"),
    "budgeted_participants": N_("Budgeted participants"),
}
PARTICIPANT_FIELDS = {
    "active_women": N_("Women active in the period"),
    "active_men": N_("Men active in the period"),
    "active_unknown": N_("Active in the period, gender unknown"),
    "new_women": N_("New women in the period"),
    "new_men": N_("New men in the period"),
    "new_unknown": N_("New in the period, gender unknown"),
    "ended_women": N_("Women who ended in the period"),
    "ended_men": N_("Men who ended in the period"),
    "ended_unknown": N_("Ended in the period, gender unknown"),
}
FINSAM_FIELD_LABELS = ASSOCIATION_FIELDS | INSATS_FIELDS | PARTICIPANT_FIELDS
MONEY_FIELDS = {*ASSOCIATION_FIELDS, "budget", "utfall"}
