"""Sentences about the numbers, shared by every adapter that shows them (command line, chat,
digest), so that free places and the budget read the same everywhere.

`mark` is applied to names taken from data (the chat escapes them for mrkdwn).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from domain.availability import Availability, MunicipalityPlaces
from domain.budget import YearBudget
from domain.follow_up import FORECAST_EVEN, FORECAST_OVER, FORECAST_UNDER, FollowUp
from domain.money import Money
from domain.trail import TRAIL_LABELS, Verification
from locales import format_percent, ngettext
from locales import gettext as _


def _same(text: str) -> str:
    return text


def next_place_line(m: MunicipalityPlaces) -> str | None:
    """With no free place: when the next one is expected to free up, labelled an estimate."""
    ahead = m.outlook
    if m.free_now or ahead is None or ahead.next_free_on is None:
        return None
    return _(
        "The next place is expected to free up on %(date)s (estimate).", date=ahead.next_free_on
    )


def place_line(m: MunicipalityPlaces, mark: Callable[[str], str] = _same) -> str:
    line = _places_now_line(m, mark)
    ahead = next_place_line(m)
    return line if ahead is None else f"{line}. {ahead}"


def _places_now_line(m: MunicipalityPlaces, mark: Callable[[str], str]) -> str:
    if m.over_capacity:  # never a negative number of free places
        return _(
            "%(municipality)s: over capacity by %(over)d (capacity %(capacity)d, started "
            "%(started)d, accepted but not started %(accepted)d)",
            municipality=mark(m.municipality),
            over=m.over_capacity,
            capacity=m.capacity,
            started=m.started,
            accepted=m.accepted_not_started,
        )
    return ngettext(
        "%(municipality)s: %(num)d free place (capacity %(capacity)d, started "
        "%(started)d, accepted but not started %(accepted)d)",
        "%(municipality)s: %(num)d free places (capacity %(capacity)d, started "
        "%(started)d, accepted but not started %(accepted)d)",
        m.free,
        municipality=mark(m.municipality),
        capacity=m.capacity,
        started=m.started,
        accepted=m.accepted_not_started,
    )


def total_free_line(availability: Availability) -> str:
    return ngettext(
        "In total: %(num)d free place.", "In total: %(num)d free places.", availability.free
    )


def places_left_line(budget: YearBudget) -> str:
    return _(
        "The budget for %(year)s still buys %(places)s full-year places.",
        year=str(budget.year.year),
        places=budget.full_year_places_left,
    )


def budget_title(budget: YearBudget) -> str:
    return _("Budget %(year)s for compensation to the municipalities", year=str(budget.year.year))


def rate_line(budget: YearBudget) -> str:
    if budget.rate_confirmed:
        return _("Daily rate: %(rate)s (confirmed).", rate=budget.daily_rate)
    return _(
        "Daily rate: %(rate)s (not yet confirmed; the index adjustment is pending).",
        rate=budget.daily_rate,
    )


def budget_lines(b: YearBudget) -> list[str]:
    return [
        _("Budget: %(amount)s", amount=b.budget),
        rate_line(b),
        _("Compensable days in the year: %(days)s", days=b.compensable_days_in_year),
        _("The budget buys %(places)s full-year places.", places=b.full_year_places),
        _("Committed: %(amount)s", amount=b.committed),
        _("Accrued up to %(date)s: %(amount)s", date=b.accrued_to, amount=b.accrued),
        _("Remaining: %(amount)s", amount=b.remaining),
        _("Full-year places left: %(places)s", places=b.full_year_places_left),
    ]


def other_cost_lines(b: YearBudget, mark: Callable[[str], str] = _same) -> list[str]:
    return [
        _(
            "Outside the placement budget: %(label)s %(amount)s",
            label=mark(c.label),
            amount=c.amount,
        )
        for c in b.year.other_costs
    ]


def forecast_line(follow: FollowUp) -> str:
    """ "Prognosen för 2027 är 1 742 000 kr, 48 000 kr (2,7 %) under budget." (the total)."""
    total = follow.total
    assert total.budget is not None
    heading = follow.heading
    values = {"year": str(follow.year), "forecast": total.forecast}
    if heading.ore == 0:
        return _(FORECAST_EVEN, **values)
    share = Decimal(abs(heading.ore)) / Decimal(total.budget.ore) if total.budget.ore else None
    return _(
        FORECAST_OVER if heading.ore > 0 else FORECAST_UNDER,
        amount=Money(abs(heading.ore)),
        share=format_percent(share, 1),
        **values,
    )


def verification_line(verification: Verification) -> str:
    """The result of `mm audit verify`, for the command line and the log reviewer's page."""
    broken = verification.broken
    if broken is None:
        return _(
            "Verified %(when)s: both chains are whole; no row of the audit log or the history "
            "was changed, deleted or inserted out of order.",
            when=verification.at,
        )
    problem = _(broken.msgid, trail=_(TRAIL_LABELS[broken.trail]), id=str(broken.row_id))
    return _("Verified %(when)s: %(problem)s", when=verification.at, problem=problem)
