"""The program: period, phases, intake stop, enrolment, day rule, years with rate and budget.

The same dataclasses describe a settings file (see `settings.py`) and the program as stored;
the database is the source at run time because a year's rate is confirmed later.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from enum import StrEnum

from domain.documentation import DEFAULT_TEMPLATE, DocumentTemplate
from domain.errors import RuleViolation
from domain.finsam import InsatsAttributes
from domain.money import Money
from domain.text import N_


class DayRule(StrEnum):
    WEEKDAYS = "weekdays"  # Monday–Friday except Swedish public holidays
    CALENDAR = "calendar"  # every day


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class OtherCost:
    """A budget line that is shown in reports but is not placement money."""

    label: str
    amount: Money


@dataclass(frozen=True)
class ProgramYear:
    year: int
    budget: Money
    daily_rate: Money
    rate_confirmed: bool
    other_costs: tuple[OtherCost, ...] = ()
    # Budgeted number of participants in the year (Uppföljning Finsam; about 70 a year).
    participants: int = 0

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, 12, 31)


@dataclass(frozen=True)
class MunicipalitySettings:
    name: str
    code: str
    capacity: int = 0
    offer: str = ""


@dataclass(frozen=True)
class Program:
    key: str
    name: str
    owner: str
    association: str
    start: date
    end: date
    intake_stop: date | None
    reference_prefix: str
    enrolment_months: int
    max_enrolment_months: int
    day_rule: DayRule
    # Months after the participant ended before their personal data is purged (gallras) …
    retention_months: int
    # … after a referral was withdrawn or ended without a placement …
    retention_months_not_started: int = 6
    # … and before a row of the audit log is removed (at least five years, HSLF-FS 2016:40).
    audit_retention_months: int = 60
    # The public pages' texts, from the settings file's [pages] table.
    accessibility_statement: str = ""
    privacy_notice: str = ""
    # What a register extract says of the processing (GDPR art. 15), from the [privacy]
    # table: who is responsible, why, on which legal ground, who receives the data, and where
    # to complain. The retention comes from the months above.
    controllers: str = ""
    purposes: str = ""
    legal_bases: str = ""
    recipients: str = ""
    complaints: str = ""
    # Requisition (domain.requisition): months per period (2 or 1), and the reference and
    # account/cost centre every basis carries for the association's books.
    requisition_months: int = 2
    requisition_reference: str = ""
    requisition_account: str = ""
    # A period's basis is due this many working days after the period ends (the worklists).
    requisition_due_working_days: int = 10
    # Budget follow-up: expected new starts per month, added to the forecast (0: none).
    intake_forecast_per_month: int = 0
    phases: tuple[Phase, ...] = ()
    years: tuple[ProgramYear, ...] = ()
    municipalities: tuple[MunicipalitySettings, ...] = field(default=(), compare=False)
    # FK's template for the individual plan and the final documentation.
    documentation: DocumentTemplate = DEFAULT_TEMPLATE
    # The insats as Uppföljning Finsam describes it (the settings file's [finsam] table).
    finsam: InsatsAttributes = field(default_factory=InsatsAttributes)

    def year(self, year: int) -> ProgramYear:
        for y in self.years:
            if y.year == year:
                return y
        raise RuleViolation(
            N_("The program has no year %(year)s; choose a year from %(first)s to %(last)s."),
            field="year",
            year=str(year),
            first=str(self.years[0].year),
            last=str(self.years[-1].year),
        )

    def year_for(self, day: date) -> ProgramYear | None:
        return next((y for y in self.years if y.year == day.year), None)

    def phase_on(self, day: date) -> Phase | None:
        return next((p for p in self.phases if p.start <= day <= p.end), None)

    def intake_open_on(self, day: date) -> bool:
        """New referrals and new requests are taken from the start until the intake stop."""
        stop = self.intake_stop or self.end + timedelta(days=1)
        return self.start <= day < stop

    def check_intake_open(self, day: date) -> None:
        if day < self.start:
            raise RuleViolation(
                N_("The program has not started yet; it takes referrals from %(date)s."),
                date=self.start,
            )
        if self.intake_open_on(day):
            return
        if self.intake_stop is not None and day <= self.end:
            raise RuleViolation(
                N_(
                    "The program has an intake stop from %(date)s: no new participants are "
                    "taken, but running placements continue."
                ),
                date=self.intake_stop,
            )
        raise RuleViolation(N_("The program ended on %(date)s."), date=self.end)


# The program's own settings (not its phases, years and municipalities): the keys of a
# settings file's [program] table and the columns of its stored row, named once.
PROGRAM_SCALARS = tuple(
    f.name
    for f in fields(Program)
    if f.name not in {"phases", "years", "municipalities", "documentation", "finsam"}
)
