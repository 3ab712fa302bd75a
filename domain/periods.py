"""Requisition periods (domain.requisition): two months by default (jan–feb, mar–apr, …),
one month as a setting; a period never crosses a calendar year. `2026-03` names the period
that contains March 2026, `2026-03/2026-04` names it by its months."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import RuleViolation
from domain.program import Program
from domain.text import N_

PERIOD_MONTHS = (1, 2)


@dataclass(frozen=True, order=True)
class Period:
    first: date
    last: date

    @property
    def key(self) -> str:
        """2026-03 (its first month): how the period is written in addresses."""
        return f"{self.first:%Y-%m}"

    @property
    def year(self) -> int:
        return self.first.year

    def ended_on(self, today: date) -> bool:
        """The period is over: its last day has passed."""
        return today > self.last

    def started_on(self, today: date) -> bool:
        return today >= self.first


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def period_containing(day: date, months: int) -> Period:
    first_month = (day.month - 1) // months * months + 1
    return Period(date(day.year, first_month, 1), _month_end(day.year, first_month + months - 1))


def program_periods(program: Program) -> list[Period]:
    """Every period of the program, from the one containing its start to its end."""
    found = []
    period = period_containing(program.start, program.requisition_months)
    while period.first <= program.end:
        found.append(period)
        period = period_containing(period.last + timedelta(days=1), program.requisition_months)
    return found


def periods_ended_by(program: Program, day: date) -> list[Period]:
    """The program's periods whose last day is on or before `day`."""
    return [p for p in program_periods(program) if p.last <= day]


_MONTH = r"(\d{4})-(\d{2})"
_PERIOD = re.compile(rf"{_MONTH}(?:/{_MONTH})?")


def parse_period(raw: str, program: Program, *, field: str | None = None) -> Period:
    """`2026-03` is the period that contains March 2026; `2026-03/2026-04` names a period by
    its first and last month, and must be one of the program's periods."""
    text = (raw or "").strip()
    found = _PERIOD.fullmatch(text)
    months = [int(n) for n in found.groups() if n is not None] if found else []
    if not found or any(not 1 <= m <= 12 for m in months[1::2]):
        raise RuleViolation(
            N_("%(value)s is not a period. Write it as 2026-03 or 2026-03/2026-04."),
            field=field,
            value=text,
        )
    period = period_containing(date(months[0], months[1], 1), program.requisition_months)
    if len(months) == 4:
        last = _month_end(months[2], months[3])
        if (date(months[0], months[1], 1), last) != (period.first, period.last):
            raise RuleViolation(
                N_(
                    "%(value)s is not one of the program's periods; the period that contains "
                    "its first month is %(first)s – %(last)s."
                ),
                field=field,
                value=text,
                first=period.first,
                last=period.last,
            )
    if period.last < program.start or period.first > program.end:
        raise RuleViolation(
            N_("The program runs from %(first)s to %(last)s; %(value)s is outside it."),
            field=field,
            value=text,
            first=program.start,
            last=program.end,
        )
    return period
