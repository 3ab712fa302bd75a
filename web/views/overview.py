"""Översikt for the coordinator (places, budget, rates, indicators) and the budget page for
the association: aggregate figures only, never personal data."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

import locales
from domain.access import can_see_budget
from domain.choices import Role
from domain.indicators import GOAL_LABELS
from services import reports
from services.program_setup import current_program, set_daily_rate
from web import runtime
from web.auth import permitted, roles
from web.chart import budget_chart
from web.forms.fields import options
from web.forms.overview import RateForm
from web.views import attempt

blueprint = Blueprint("overview", __name__)


def _budget_context(session: Any) -> dict[str, Any]:
    today = runtime.today()
    years = reports.all_years(session, today=today)
    current = next((b for b in years if b.year.year == today.year), years[-1])
    return {"years": years, "current": current, "chart": budget_chart(years), "today": today}


def _rate_form(session: Any, form: RateForm | None = None) -> RateForm:
    form = form or RateForm(formdata=None)
    form.year.choices = options((y.year, str(y.year)) for y in current_program(session).years)
    return form


def _overview(form: RateForm | None, status: int) -> Any:
    with runtime.transaction() as session:
        html = render_template(
            "overview/overview.html",
            availability=reports.availability(session),
            indicators=reports.indicators(session, today=runtime.today()),
            goal_labels=GOAL_LABELS,
            rate_form=_rate_form(session, form),
            failed=form,
            **_budget_context(session),
        )
    return html, status


@blueprint.get("/oversikt")
@roles(Role.COORDINATOR)
def overview() -> Any:
    return _overview(None, 200)


@blueprint.post("/oversikt/dagersattning")
@roles(Role.COORDINATOR)
def daily_rate() -> Any:
    with runtime.transaction() as session:
        form = _rate_form(session, RateForm())
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
    with runtime.transaction() as session:
        return render_template("overview/budget.html", **_budget_context(session))
