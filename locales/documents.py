"""The downloadable documents, described once for XLSX and CSV (locales.sheets): a
municipality's requisition basis and the association's accruals. Reference codes, dates,
days and money only: an invoice becomes a public document at the association."""

from __future__ import annotations

from datetime import date

from domain.requisition import STATE_LABELS, Accrual, Basis, accrual_total
from locales import format_period
from locales import gettext as _
from locales.sheets import GrandTotal, Sheet, Sum, Table


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
            (_("Status"), _(STATE_LABELS[basis.state])),
        ],
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
            ],
            rows=[
                [
                    c.reference_code,
                    format_period(c.period),
                    c.claimed_days,
                    c.current_days,
                    c.days,
                    c.amount,
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
            ],
        )
        sheet.tables.append((_("Corrections of earlier periods"), corrections))
    sheet.closing.append((_("To pay"), GrandTotal(basis.total, column=6)))
    if basis.preliminary:
        sheet.notes.append(
            _("Preliminary: the period is running or the year's daily rate is not confirmed.")
        )
    return sheet


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
                _(STATE_LABELS[a.state]),
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
        tables=[(_("Periods earned but not claimed or not attested"), table)],
    )
