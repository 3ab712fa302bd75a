"""The downloadable documents, described once for XLSX and CSV (reports.sheets): a
municipality's requisition basis and the association's accruals. Reference codes, dates,
days and money only: an invoice becomes a public document at the association."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.choices import LABELS, Outcome
from domain.follow_up import FollowUp, IndicatorRow, Line, SteeringReport
from domain.indicators import GOAL_LABELS, Goal
from domain.money import Money
from domain.requisition import REQUISITION_STATE_LABELS, Accrual, Basis, StepKind, accrual_total
from domain.text import N_
from locales import format_datetime, format_percent, format_period
from locales import gettext as _
from locales.phrases import forecast_line
from reports.scenarios import scenario_hint, scenario_lines, scenario_table
from reports.sheets import Cell, GrandTotal, RowFormula, Sheet, Sum, Table


def basis_sheet(basis: Basis) -> Sheet:
    h = basis.header
    rate_note = _("confirmed") if basis.rate_confirmed else _("not yet confirmed: preliminary")
    sheet = Sheet(
        title=_("Requisition basis"),
        heading=_(
            "Requisition basis %(period)s, %(municipality)s",
            period=basis.period,
            municipality=h.municipality,
        ),
        facts=[
            (_("Program"), h.program),
            (_("To"), h.association),
            (_("Municipality"), h.municipality),
            (_("Municipality code"), h.municipality_code),
            (_("Period"), format_period(basis.period)),
            (_("First day"), basis.period.first),
            (_("Last day"), basis.period.last),
            (_("Reference"), h.reference),
            (_("Account / cost centre"), h.account),
            (_("Daily rate"), basis.daily_rate),
            (_("The daily rate is"), rate_note),
            (_("Status"), _(REQUISITION_STATE_LABELS[basis.state])),
            *_story(basis),
        ],
        freeze=True,
    )
    lines = Table(
        headers=[
            _("Reference code"),
            _("First day"),
            _("Last day"),
            _("Days"),
            _("Daily rate"),
            _("Amount"),
        ],
        rows=[
            [
                line.reference_code,
                line.first_day,
                line.last_day,
                line.days,
                line.daily_rate,
                line.amount,
            ]
            for line in basis.lines
        ],
        totals=[_("Total"), None, None, Sum(basis.days), None, Sum(basis.lines_amount)],
    )
    sheet.tables.append((_("Placements"), lines))
    if basis.corrections:
        corrections = Table(
            headers=[
                _("Reference code"),
                _("Corrected period"),
                _("Days claimed before"),
                _("Days now"),
                _("Change in days"),
                _("Amount"),
                _("Reason"),
            ],
            rows=[
                [
                    c.reference_code,
                    format_period(c.period),
                    c.claimed_days,
                    c.current_days,
                    c.days,
                    c.amount,
                    _("Changed daily rate") if c.kind.value == "rate" else _("Changed dates"),
                ]
                for c in basis.corrections
            ],
            totals=[
                _("Total"),
                None,
                None,
                None,
                Sum(sum(c.days for c in basis.corrections)),
                Sum(basis.corrections_amount),
                None,
            ],
        )
        sheet.tables.append((_("Corrections of earlier periods"), corrections))
    paid = _("Paid %(date)s", date=basis.paid_on) if basis.paid_on else _("To pay")
    sheet.closing.append((paid, GrandTotal(basis.total, column=6)))
    if basis.preliminary:
        sheet.notes.append(
            _("Preliminary: the period is running or the year's daily rate is not confirmed.")
        )
    return sheet


def _story(basis: Basis) -> list[tuple[str, Cell]]:
    """Who did each step, and when: the basis names everyone who handled it."""
    found: list[tuple[str, Cell]] = []
    for step in basis.story:
        when = format_datetime(step.at)
        if step.kind is StepKind.SUBMITTED:
            found.append((_("Submitted"), _("%(name)s, %(when)s", name=step.by, when=when)))
        elif step.kind is StepKind.RETURNED:
            found.append((_("Returned"), _("%(name)s, %(when)s", name=step.by, when=when)))
        elif step.kind is StepKind.ATTESTED:
            found.append((_("Attested"), _("%(name)s, %(when)s", name=step.by, when=when)))
        else:
            found.append((_("Payment recorded"), _("%(name)s, %(when)s", name=step.by, when=when)))
    return found


def accruals_sheet(accruals: list[Accrual], on: date) -> Sheet:
    table = Table(
        headers=[
            _("Municipality"),
            _("Municipality code"),
            _("Period"),
            _("Status"),
            _("Amount"),
        ],
        rows=[
            [
                a.municipality,
                a.municipality_code,
                format_period(a.period),
                _(REQUISITION_STATE_LABELS[a.state]),
                a.amount,
            ]
            for a in accruals
        ],
        totals=[_("Total"), None, None, None, Sum(accrual_total(accruals))],
    )
    return Sheet(
        title=_("Accruals"),
        heading=_("Accrued costs on %(date)s", date=on),
        facts=[(_("Date"), on), (_("To book"), accrual_total(accruals))],
        tables=[(_("Periods earned but not paid"), table)],
        freeze=True,
    )


# ---- follow-up ------------------------------------------------------------------------

PLACEMENT_MONEY = N_("Compensation to the municipalities")


def _follow_up_row(label: str, line: Line) -> Sequence[Cell]:
    """Budget | period budget | utfall | avvikelse kr | avvikelse % | prognos (B..G)."""
    return [
        label,
        line.budget,
        line.period_budget,
        line.accrued,
        RowFormula(line.deviation, "=D{r}-C{r}") if line.period_budget is not None else None,
        RowFormula(line.deviation_share, '=IF(C{r}=0,"",E{r}/C{r})', percent=True)
        if line.period_budget is not None
        else None,
        line.forecast,
    ]


def follow_up_sheet(follow: FollowUp) -> Sheet:
    total = follow.total
    assert total.budget is not None and total.period_budget is not None
    lines = Table(
        headers=[
            _("Cost line"),
            _("Budget for the year"),
            _("Budget for the period"),
            _("Utfall for the period"),
            _("Deviation"),
            _("Deviation in per cent"),
            _("Forecast for the year"),
        ],
        rows=[_follow_up_row(_(PLACEMENT_MONEY), follow.placements)]
        + [_follow_up_row(line.label, line) for line in follow.other_costs],
        totals=[
            _("Total"),
            Sum(total.budget),
            Sum(total.period_budget),
            Sum(total.accrued),
            RowFormula(total.accrued - total.period_budget, "=D{r}-C{r}"),
            RowFormula(total.deviation_share, '=IF(C{r}=0,"",E{r}/C{r})', percent=True),
            Sum(total.forecast),
        ],
    )
    per_municipality = Table(
        headers=[_("Municipality"), _("Utfall for the period"), _("Forecast for the year")],
        rows=[[line.label, line.accrued, line.forecast] for line in follow.municipalities],
        totals=[
            _("Total"),
            Sum(follow.placements.accrued),
            Sum(sum((line.forecast for line in follow.municipalities), Money(0))),
        ],
    )
    sheet = Sheet(
        title=_("Budget follow-up"),
        heading=_(
            "Budget follow-up %(year)s up to %(date)s", year=str(follow.year), date=follow.to
        ),
        facts=[
            (_("Year"), str(follow.year)),
            (_("Cut-off date"), follow.to),
            (_("Daily rate"), follow.rate),
            (
                _("The daily rate is"),
                _("confirmed") if follow.rate_confirmed else _("not yet confirmed: preliminary"),
            ),
        ],
        tables=[
            (_("Budget, utfall and forecast"), lines),
            (_("Compensation per municipality"), per_municipality),
            (_("Forecast per intake scenario"), scenario_table(follow)),
        ],
        notes=[forecast_line(follow), *scenario_lines(follow), scenario_hint()],
    )
    if follow.preliminary:
        sheet.notes.append(
            _(
                "Preliminary: the daily rate for %(year)s is not confirmed yet.",
                year=str(follow.year),
            )
        )
    return sheet


def indicators_sheet(rows: list[IndicatorRow], first: date, last: date) -> Sheet:
    goals = [goal for goal in Goal]
    table = Table(
        headers=[
            _("Municipality"),
            *[_(GOAL_LABELS[g]) for g in goals],
            _("New in the period"),
            _("Active in the period"),
            _("Ended in the period"),
            _("Mean days from referral to answer"),
            _("Mean days from acceptance to tripartite meeting"),
        ],
        rows=[
            [
                row.label or _("All municipalities"),
                *[
                    _(
                        "%(achieved)s of %(counted)s (%(share)s)",
                        achieved=i.achieved,
                        counted=i.counted,
                        share=format_percent(i.share),
                    )
                    for i in row.indicators
                ],
                row.new,
                row.active,
                row.ended,
                row.mean_days_to_answer,
                row.mean_days_to_meeting,
            ]
            for row in rows
        ],
    )
    outcomes = Table(
        headers=[_("Municipality"), *[_(LABELS[o]) for o in Outcome]],
        rows=[
            [row.label or _("All municipalities"), *[row.outcomes.get(o, 0) for o in Outcome]]
            for row in rows
        ],
    )
    return Sheet(
        title=_("Goal indicators"),
        heading=_("Goal indicators %(first)s – %(last)s", first=first, last=last),
        facts=[(_("From"), first), (_("To"), last)],
        tables=[(_("Goals"), table), (_("Outcomes of the placements that ended"), outcomes)],
    )


def steering_sheets(report: SteeringReport) -> list[Sheet]:
    people = Table(
        headers=[
            _("Municipality"),
            _("New in the period"),
            _("Active in the period"),
            _("Ended in the period"),
        ],
        rows=[[r.label, r.new, r.active, r.ended] for r in report.indicators[:-1]],
        totals=[
            _("Total"),
            Sum(report.total.new),
            Sum(report.total.active),
            Sum(report.total.ended),
        ],
    )
    places = Table(
        headers=[
            _("Municipality"),
            _("Capacity"),
            _("Started placements"),
            _("Accepted, not started"),
            _("Free places"),
            _("Over capacity"),
        ],
        rows=[
            [
                m.municipality,
                m.capacity,
                m.started,
                m.accepted_not_started,
                m.free_now,  # never a negative number of free places
                m.over_capacity,
            ]
            for m in report.places.municipalities
        ],
    )
    summary = Sheet(
        title=_("Steering group"),
        heading=_(
            "Report to the steering group, %(first)s – %(last)s",
            first=report.first,
            last=report.last,
        ),
        facts=[
            (_("From"), report.first),
            (_("To"), report.last),
            (_("Requisition bases waiting for attestation"), report.waiting_for_attestation),
            (_("Accrued costs: periods not yet paid"), accrual_total(list(report.accruals))),
        ],
        tables=[(_("Participants"), people), (_("Free places now"), places)],
    )
    return [
        summary,
        indicators_sheet(list(report.indicators), report.first, report.last),
        follow_up_sheet(report.follow_up),
    ]
