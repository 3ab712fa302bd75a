"""Översikt for the coordinator (places, budget, rates, indicators) and the budget page for
the association: aggregate figures only, never personal data."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

import locales
from domain.access import can_see_budget
from domain.choices import Role
from domain.indicators import GOAL_LABELS
from domain.program import Program
from services import reports
from services.lists import Page
from services.program_setup import current_program, set_daily_rate
from web import runtime
from web.auth import permitted, roles
from web.chart import budget_chart
from web.forms.fields import options
from web.forms.overview import RateForm
from web.views import attempt, page_number

blueprint = Blueprint("overview", __name__)


# Municipalities in the free-places table per page (a national program has 290): as many
# as chat shows on a page (bot.replies.PAGE_SIZE).
PLACES_PER_PAGE = 25


def _budget_context(session: Any, program: Program) -> dict[str, Any]:
    today = runtime.today()
    years = reports.all_years(session, today=today, program=program)
    current = next((b for b in years if b.year.year == today.year), years[-1])
    return {"years": years, "current": current, "chart": budget_chart(years), "today": today}


def _rate_form(program: Program, form: RateForm | None = None) -> RateForm:
    form = form or RateForm(formdata=None)
    form.year.choices = options((y.year, str(y.year)) for y in program.years)
    return form


def _overview(form: RateForm | None, status: int) -> Any:
    with runtime.transaction(read_only=True) as session:
        program = current_program(session)
        availability = reports.availability(session, today=runtime.today())
        html = render_template(
            "overview/overview.html",
            availability=availability,
            places=Page.of(availability.municipalities, page_number(), PLACES_PER_PAGE),
            indicators=reports.indicators(session, today=runtime.today(), program=program),
            goal_labels=GOAL_LABELS,
            rate_form=_rate_form(program, form),
            failed=form,
            **_budget_context(session, program),
        )
    return html, status


@blueprint.get("/oversikt")
@roles(Role.COORDINATOR)
def overview() -> Any:
    return _overview(None, 200)


@blueprint.post("/oversikt/dagersattning")
@roles(Role.COORDINATOR)
def daily_rate() -> Any:
    with runtime.transaction(read_only=True) as session:
        form = _rate_form(current_program(session), RateForm())
    if (
        form.validate()
        and attempt(
            form,
            lambda s: set_daily_rate(
                s,
                actor=runtime.actor(),
                year=form.year.data,
                rate=form.rate.data,
                now=runtime.now(),
            ),
        ).ok
    ):
        flash(
            locales.gettext(
                "The daily rate for %(year)s is now %(rate)s.",
                year=str(form.year.data),
                rate=form.rate.data,
            ),
            "success",
        )
        return redirect(url_for("overview.overview"))
    return _overview(form, 400)


@blueprint.get("/budget")
@permitted(can_see_budget)
def budget() -> Any:
    with runtime.transaction(read_only=True) as session:
        return render_template(
            "overview/budget.html", **_budget_context(session, current_program(session))
        )
