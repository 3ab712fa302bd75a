"""Översikt for the coordinator (places, budget, rates, indicators) and the budget page for
the association: aggregate figures only, never personal data."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

import locales
from domain.access import can_see_budget
from domain.availability import Availability, MunicipalityPlaces
from domain.budget import YearBudget
from domain.choices import Role
from domain.indicators import GOAL_LABELS, Indicator
from domain.program import Program
from domain.requisition import REQUISITION_STATE_LABELS
from services import rate_decisions, reports, worklist
from services.kept_answers import kept
from services.paging import Page
from services.program_setup import current_program, set_daily_rate
from services.rate_decisions import RateChange
from web import runtime
from web.auth import permitted, roles
from web.chart import Chart, budget_chart
from web.forms.fields import options
from web.forms.overview import RateForm
from web.views import attempt, page_number

blueprint = Blueprint("overview", __name__)


# Municipalities in the free-places table per page (a national program has 290): as many
# as chat shows on a page (bot.replies.PAGE_SIZE).
PLACES_PER_PAGE = 25


def _budget_context(session: Any, program: Program) -> dict[str, Any]:
    today = runtime.today()

    def work() -> tuple[tuple[YearBudget, ...], Chart]:
        years = reports.all_years(session, today=today, program=program)
        return tuple(years), budget_chart(years)

    # The same for everyone who may see it: kept while the database reads the same.
    years, chart = kept(session, "budget years", (today,), work)
    current = next((b for b in years if b.year.year == today.year), years[-1])
    return {"years": years, "current": current, "chart": chart, "today": today}


def _overview() -> Any:
    today, number = runtime.today(), page_number()
    with runtime.transaction(read_only=True) as session:
        program = current_program(session)

        def work() -> tuple[Availability, Page[MunicipalityPlaces], tuple[Indicator, ...]]:
            availability, places = reports.places_page(
                session, today=today, number=number, size=PLACES_PER_PAGE, program=program
            )
            return (
                availability,
                places,
                tuple(reports.indicators(session, today=today, program=program)),
            )

        # The same for every coordinator: kept while the database reads the same.
        availability, places, indicators = kept(session, "overview", (number, today), work)
        return render_template(
            "overview/overview.html",
            availability=availability,
            places=places,
            indicators=indicators,
            goal_labels=GOAL_LABELS,
            **_budget_context(session, program),
        )


@blueprint.get("/oversikt")
@roles(Role.COORDINATOR)
def overview() -> Any:
    return _overview()


def _rate_form(program: Program, form: RateForm | None = None) -> RateForm:
    form = form or RateForm(formdata=None)
    form.year.choices = options(
        [("", locales.gettext("Choose a year"))] + [(y.year, str(y.year)) for y in program.years]
    )
    if form.year.data is None and not form.year.raw_data:
        # The first year still unconfirmed: a confirmed year is never chosen for you.
        form.year.data = next((y.year for y in program.years if not y.rate_confirmed), None)
    return form


def _rate_page(form: RateForm, status: int, change: RateChange | None = None) -> Any:
    with runtime.transaction(read_only=True) as session:
        program = current_program(session)
        found = rate_decisions.decisions(session, actor=runtime.actor())
    html = render_template(
        "overview/daily_rate.html",
        form=_rate_form(program, form),
        failed=form if form.errors else None,
        years=program.years,
        decisions=found,
        change=change,
        state_labels=REQUISITION_STATE_LABELS,
    )
    return html, status


@blueprint.get("/dagersattning")
@roles(Role.COORDINATOR)
def daily_rate() -> Any:
    with runtime.transaction(read_only=True) as session:
        form = _rate_form(current_program(session))
    return _rate_page(form, 200)


@blueprint.post("/dagersattning")
@roles(Role.COORDINATOR)
def decide_rate() -> Any:
    """Confirms a year's rate; a change of a confirmed one first shows what it changes and
    asks (the answer carries the rate it was asked about, so a change made meanwhile by
    someone else is refused rather than overwritten)."""
    actor = runtime.actor()
    with runtime.transaction(read_only=True) as session:
        program = current_program(session)
        form = _rate_form(program, RateForm())
    if not form.validate():
        return _rate_page(form, 400)
    year = program.year(form.year.data)
    if year.rate_confirmed and form.confirmed.data != "1":
        with runtime.transaction(read_only=True) as session:
            change = rate_decisions.preview(
                session, actor=actor, year=year.year, rate=form.rate.data
            )
        form.expected.data = year.daily_rate
        return _rate_page(form, 200, change)
    done = attempt(
        form,
        lambda s: set_daily_rate(
            s,
            actor=actor,
            year=year.year,
            rate=form.rate.data,
            now=runtime.now(),
            reason=form.reason.data,
            expected=form.expected.data if form.confirmed.data == "1" else None,
        ),
    )
    if not done.ok:
        return _rate_page(form, 400)
    flash(
        locales.gettext(
            "The daily rate for %(year)s is now %(rate)s.",
            year=str(year.year),
            rate=form.rate.data,
        ),
        "success",
    )
    return redirect(url_for("overview.daily_rate"))


@blueprint.get("/budget")
@permitted(can_see_budget)
def budget() -> Any:
    actor = runtime.actor()
    with runtime.transaction(read_only=True) as session:
        # The association's start page says what waits for it: bases to pay.
        to_pay = (
            worklist.count_for(session, actor=actor, today=runtime.today())
            if actor.role is Role.ASSOCIATION
            else 0
        )
        return render_template(
            "overview/budget.html",
            to_pay=to_pay,
            **_budget_context(session, current_program(session)),
        )
