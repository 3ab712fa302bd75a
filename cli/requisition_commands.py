"""`mm requisition` and `mm accruals`: a municipality's requisition basis for a period, and
the accrued costs, as Swedish text, CSV or XLSX (the same documents as the web site's)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from cli.params import DATE
from cli.runtime import Runtime, pass_runtime
from domain.requisition import REQUISITION_STATE_LABELS, Basis, accrual_total, parse_period
from locales import format_period, ngettext
from locales import gettext as _
from reports.documents import accruals_sheet, basis_sheet
from reports.sheets import to_csv, to_xlsx
from services import requisition_lists, requisitions
from services.municipalities import find_municipality
from services.program_setup import current_program
from storage.db import unit_of_work

FORMATS = ("text", "csv", "xlsx")


def _basis_text(basis: Basis) -> list[str]:
    h = basis.header
    lines = [
        _(
            "Requisition basis %(period)s, %(municipality)s (municipality code %(code)s)",
            period=basis.period,
            municipality=h.municipality,
            code=h.municipality_code,
        ),
        _("To: %(association)s (%(program)s)", association=h.association, program=h.program),
        _(
            "Reference: %(reference)s. Account / cost centre: %(account)s.",
            reference=h.reference or "–",
            account=h.account or "–",
        ),
        _("Daily rate: %(rate)s (confirmed).", rate=basis.daily_rate)
        if basis.rate_confirmed
        else _(
            "Daily rate: %(rate)s (not yet confirmed; the index adjustment is pending).",
            rate=basis.daily_rate,
        ),
        _("Status: %(status)s", status=_(REQUISITION_STATE_LABELS[basis.state])),
    ]
    if basis.running:
        lines.append(_("Preliminary: the period has not ended, so these are the days so far."))
    for line in basis.lines:
        lines.append(
            ngettext(
                "%(code)s: %(first)s – %(last)s, %(num)d day, %(amount)s",
                "%(code)s: %(first)s – %(last)s, %(num)d days, %(amount)s",
                line.days,
                code=line.reference_code,
                first=line.first_day,
                last=line.last_day,
                amount=line.amount,
            )
        )
    lines.append(
        ngettext(
            "Placements in total: %(num)d day, %(amount)s",
            "Placements in total: %(num)d days, %(amount)s",
            basis.days,
            amount=basis.lines_amount,
        )
    )
    for c in basis.corrections:
        lines.append(
            _(
                "Correction of %(period)s for %(code)s: %(claimed)s days claimed, %(now)s days "
                "now, %(amount)s",
                period=c.period,
                code=c.reference_code,
                claimed=c.claimed_days,
                now=c.current_days,
                amount=c.amount,
            )
        )
    lines.append(_("To pay: %(amount)s", amount=basis.total))
    return lines


@click.command(
    "requisition",
    help=_(
        "Show a municipality's requisition basis for a period (e.g. 2026-03 or 2026-03/2026-04)."
    ),
)
@click.argument("municipality")
@click.argument("period")
@click.option(
    "--format", "kind", type=click.Choice(FORMATS), default="text", help=_("text, csv or xlsx")
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help=_("Write to this file.")
)
@pass_runtime
def requisition(
    runtime: Runtime, municipality: str, period: str, kind: str, output: Path | None
) -> None:
    if kind == "xlsx" and output is None:
        raise click.ClickException(_("An XLSX file needs --output FILE."))
    with unit_of_work(runtime.sessions, read_only=True) as session:
        found = find_municipality(session, municipality)
        chosen = parse_period(period, current_program(session))
        basis = requisitions.basis(
            session, actor=None, municipality_id=found.id, period=chosen, today=runtime.today()
        )
    if kind == "xlsx":
        content: bytes = to_xlsx([basis_sheet(basis)])
    elif kind == "csv":
        content = to_csv(basis_sheet(basis)).encode("utf-8")
    else:
        content = ("\n".join(_basis_text(basis)) + "\n").encode("utf-8")
    write(content, output)


def write(content: bytes, output: Path | None) -> None:
    if output is None:
        click.echo(content.decode("utf-8"), nl=False)
        return
    try:
        output.write_bytes(content)
    except OSError:
        raise click.ClickException(
            _("The file %(path)s could not be written.", path=str(output))
        ) from None
    click.echo(_("Written to %(path)s.", path=str(output)))


@click.command(
    "accruals",
    help=_("List the accrued costs: ended periods not yet claimed or not yet attested."),
)
@click.option(
    "--date", "on", type=DATE, help=_("Accrued up to and including this date (default: today).")
)
@click.option(
    "--format", "kind", type=click.Choice(("text", "xlsx")), default="text", help=_("text or xlsx")
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help=_("Write to this file.")
)
@pass_runtime
def accruals(runtime: Runtime, on: date | None, kind: str, output: Path | None) -> None:
    on = on or runtime.today()
    if kind == "xlsx" and output is None:
        raise click.ClickException(_("An XLSX file needs --output FILE."))
    with unit_of_work(runtime.sessions, read_only=True) as session:
        found = requisition_lists.accruals(session, actor=None, on=on, today=runtime.today())
    if kind == "xlsx":
        write(to_xlsx([accruals_sheet(found, on)]), output)
        return
    lines = [
        _(
            "%(municipality)s (%(code)s), %(period)s: %(amount)s – %(status)s",
            municipality=a.municipality,
            code=a.municipality_code,
            period=format_period(a.period),
            amount=a.amount,
            status=_(REQUISITION_STATE_LABELS[a.state]),
        )
        for a in found
    ]
    if not found:
        lines.append(_("Nothing to book: every ended period is attested."))
    lines.append(_("To book on %(date)s: %(amount)s", date=on, amount=accrual_total(found)))
    write(("\n".join(lines) + "\n").encode("utf-8"), output)
