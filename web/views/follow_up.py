"""The follow-up pages: the budget in the association's format (with its chart, and the
coordinator's form for the other cost lines' utfall), the goal indicators per period and
municipality, the Finsam figures, and the steering group's report — each also as XLSX, and
printable on A4.

The coordinator, the association and the administrator see every report; a municipality's
contacts see their own municipality's indicators. No report carries a name, personnummer or
free text about a participant: reference codes and counts only.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

import locales
from domain.access import can_coordinate, can_see_budget, can_see_indicators
from domain.choices import LABELS, Outcome
from domain.errors import DomainError, RuleViolation
from domain.finsam import period_of
from domain.indicators import GOAL_LABELS
from locales.phrases import forecast_line
from reports.documents import follow_up_sheet, indicators_sheet, steering_sheets
from reports.scenarios import scenario_hint, scenario_lines, scenario_table
from reports.sheets import to_xlsx
from services import budget_follow_up, indicator_report, steering_report
from services.program_setup import current_program
from web import runtime
from web.auth import permitted
from web.chart import follow_up_chart
from web.forms.fields import options
from web.forms.follow_up import CostOutcomeForm, FollowUpForm, PeriodForm
from web.views import attempt, municipality_filter

blueprint = Blueprint("follow_up", __name__, url_prefix="/uppfoljning")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 25  # municipalities per page, as on the overview and in chat


def _page_of(items: list[Any]) -> tuple[list[Any], int, int]:
    """The asked page (?sida=) of the items, its number and the number of pages."""
    pages = max(1, -(-len(items) // PER_PAGE))
    raw = request.args.get("sida", "1")
    page = min(int(raw) if raw.isdigit() and int(raw) > 0 else 1, pages)
    return items[(page - 1) * PER_PAGE : page * PER_PAGE], page, pages


def _download(content: bytes, name: str) -> Response:
    return Response(
        content, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _month_end_before(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)


def _year_and_cut_off(form: FollowUpForm, years: list[int]) -> tuple[int, date]:
    """The asked year and cut-off; by default the last month end before today (or the year
    end of a past year)."""
    today = runtime.today()
    year = form.ar.data if form.ar.data in years else min(max(today.year, years[0]), years[-1])
    default = _month_end_before(today) if today.year == year else date(year, 12, 31)
    if default.year != year:
        default = date(year, 1, 31)
    to = form.till.data if form.till.data and not form.till.errors else default
    return year, to


def _typed_intake(form: FollowUpForm) -> Decimal | None:
    """The third intake scenario, when a whole number of starts a month was typed in."""
    typed = form.intag.data
    return Decimal(typed) if isinstance(typed, int) and not form.intag.errors else None


@blueprint.get("")
@permitted(can_see_indicators)
def index() -> Any:
    if not can_see_budget(runtime.actor()):
        return redirect(url_for("follow_up.indicators"))
    return render_template("follow_up/index.html")


def _follow_up_page(form: FollowUpForm, cost_form: CostOutcomeForm | None, status: int) -> Any:
    actor = runtime.actor()
    with runtime.transaction(read_only=True) as session:
        program = current_program(session)
        years = [y.year for y in program.years]
        form.ar.choices = options((y, str(y)) for y in years)
        form.validate()
        year, to = _year_and_cut_off(form, years)
        typed = _typed_intake(form)
        try:
            found = budget_follow_up.follow_up_for_reader(
                session, actor=actor, year=year, to=to, today=runtime.today(), typed_intake=typed
            )
        except RuleViolation as error:
            form.add_domain_error(error)
            to = date(year, 12, 31)
            found = budget_follow_up.follow_up_for_reader(
                session, actor=actor, year=year, to=to, today=runtime.today(), typed_intake=typed
            )
        form.ar.data, form.till.data = year, to
        costs = [c.label for c in program.year(year).other_costs]
    if can_coordinate(actor):
        cost_form = cost_form or CostOutcomeForm(formdata=None)
        cost_form.label.choices = options((c, c) for c in costs)
    failed = cost_form if cost_form is not None and cost_form.problems() else form
    shown, page, pages = _page_of(list(found.municipalities))
    return (
        render_template(
            "follow_up/budget.html",
            form=form,
            failed=failed,
            follow=found,
            shown=shown,
            page=page,
            pages=pages,
            forecast=forecast_line(found),
            scenarios=scenario_table(found),
            scenario_lines=scenario_lines(found),
            scenario_hint=scenario_hint(),
            chart=follow_up_chart(
                list(found.months), [locales.format_month_short(m.month_end) for m in found.months]
            ),
            cost_form=cost_form if can_coordinate(actor) else None,
            cut_offs=[date(year, m, calendar.monthrange(year, m)[1]) for m in (4, 6, 8, 12)],
        ),
        status,
    )


@blueprint.get("/budget")
@permitted(can_see_budget)
def budget() -> Any:
    return _follow_up_page(FollowUpForm(formdata=request.args), None, 200)


@blueprint.get("/budget.xlsx")
@permitted(can_see_budget)
def budget_xlsx() -> Any:
    form = FollowUpForm(formdata=request.args)
    with runtime.transaction(read_only=True) as session:
        years = [y.year for y in current_program(session).years]
        form.ar.choices = options((y, str(y)) for y in years)
        form.validate()
        year, to = _year_and_cut_off(form, years)
        try:
            found = budget_follow_up.follow_up_for_reader(
                session,
                actor=runtime.actor(),
                year=year,
                to=to,
                today=runtime.today(),
                typed_intake=_typed_intake(form),
            )
        except DomainError:
            abort(404)
    return _download(to_xlsx([follow_up_sheet(found)]), f"budgetuppfoljning-{year}-{to}.xlsx")


@blueprint.post("/budget/utfall")
@permitted(lambda actor: can_coordinate(actor))
def cost_outcome() -> Any:
    form = CostOutcomeForm()
    with runtime.transaction(read_only=True) as session:
        program = current_program(session)
        labels = sorted({c.label for y in program.years for c in y.other_costs})
    form.label.choices = options((c, c) for c in labels)
    if form.validate():
        through = form.through.data
        if attempt(
            form,
            lambda session: budget_follow_up.enter_cost_outcome(
                session,
                actor=runtime.actor(),
                year=through.year,
                label=form.label.data,
                through=through,
                amount=form.amount.data,
                now=runtime.now(),
            ),
        ).ok:
            flash(
                locales.gettext(
                    "The utfall of %(label)s up to %(date)s is saved.",
                    label=form.label.data,
                    date=through,
                ),
                "success",
            )
            return redirect(url_for("follow_up.budget", ar=through.year, till=through.isoformat()))
    return _follow_up_page(FollowUpForm(formdata=request.args), form, 400)


def _period(form: PeriodForm) -> tuple[date, date]:
    today = runtime.today()
    quarter = (today.month - 1) // 3 * 3 + 1
    first = (
        form.fran.data if form.fran.data and not form.fran.errors else date(today.year, quarter, 1)
    )
    last = form.till.data if form.till.data and not form.till.errors else today
    return first, last


@blueprint.get("/indikatorer")
@permitted(can_see_indicators)
def indicators() -> Any:
    actor = runtime.actor()
    form = PeriodForm(formdata=request.args)
    with runtime.transaction(read_only=True) as session:
        form.kommun.choices = municipality_filter(session, locales.gettext("All municipalities"))
        form.validate()
        first, last = _period(form)
        wanted = form.kommun.data if not form.kommun.errors else None
        try:
            rows = indicator_report.indicators_report(
                session,
                actor=actor,
                first=first,
                last=last,
                today=runtime.today(),
                municipality_id=wanted,
            )
        except DomainError as error:
            form.add_domain_error(error)
            rows = indicator_report.indicators_report(
                session,
                actor=actor,
                first=first,
                last=max(first, last),
                today=runtime.today(),
            )
    if request.args.get("format") == "xlsx":
        return _download(
            to_xlsx([indicators_sheet(rows, first, last)]), f"indikatorer-{first}-{last}.xlsx"
        )
    form.fran.data, form.till.data = first, last
    total = [row for row in rows if row.municipality_id is None]
    shown, page, pages = _page_of([row for row in rows if row.municipality_id is not None])
    return render_template(
        "follow_up/indicators.html",
        form=form,
        failed=form if form.problems() else None,
        rows=shown + total,
        page=page,
        pages=pages,
        count=len(rows) - len(total),
        first=first,
        last=last,
        goal_labels=GOAL_LABELS,
        outcome_labels={o: LABELS[o] for o in Outcome},
        own=actor.is_contact,
    )


QUARTERS = ((1, 3), (4, 6), (7, 9), (10, 12))


@blueprint.get("/samverkansgrupp")
@permitted(can_see_budget)
def steering() -> Any:
    form = PeriodForm(formdata=request.args)
    form.kommun.choices = []
    form.validate()
    today = runtime.today()
    first, last = _period(form)
    if not form.till.data:
        quarter = (today.month - 1) // 3
        first = date(today.year, QUARTERS[quarter][0], 1)
        end = QUARTERS[quarter][1]
        last = date(today.year, end, calendar.monthrange(today.year, end)[1])
    with runtime.transaction(read_only=True) as session:
        try:
            report = steering_report.steering_report(
                session, actor=runtime.actor(), first=first, last=last, today=today
            )
        except RuleViolation as error:
            form.add_domain_error(error)
            first, last = last, last
            report = steering_report.steering_report(
                session, actor=runtime.actor(), first=first, last=last, today=today
            )
    if request.args.get("format") == "xlsx":
        return _download(to_xlsx(steering_sheets(report)), f"samverkansgrupp-{first}-{last}.xlsx")
    form.fran.data, form.till.data = first, last
    picks = [
        (
            locales.gettext("Quarter %(number)s", number=n + 1),
            date(today.year, a, 1),
            date(today.year, b, calendar.monthrange(today.year, b)[1]),
        )
        for n, (a, b) in enumerate(QUARTERS)
    ] + [
        (locales.gettext("First half-year"), *period_of(today.year, 1)),
        (locales.gettext("Second half-year"), *period_of(today.year, 2)),
        (locales.gettext("The whole year"), *period_of(today.year, None)),
    ]
    return render_template(
        "follow_up/steering.html",
        form=form,
        failed=form if form.problems() else None,
        report=report,
        forecast=forecast_line(report.follow_up),
        pace_forecast=scenario_lines(report.follow_up)[:1],  # the default scenario's line
        goal_labels=GOAL_LABELS,
        outcome_labels={o: LABELS[o] for o in Outcome},
        picks=picks,
    )
