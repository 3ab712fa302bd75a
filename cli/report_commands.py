"""`mm follow-up` and `mm finsam`: the budget in the association's format and the underlag
for Uppföljning Finsam, as Swedish text or XLSX (the same documents as the web site's)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import click

from cli.params import DATE, WHOLE_NUMBER, YEAR
from cli.requisition_commands import write
from cli.runtime import Runtime, pass_runtime
from domain.finsam import ASSOCIATION_FIELDS, GENDER_LABELS, INSATS_FIELDS, Gender
from domain.follow_up import Line
from locales import format_percent
from locales import gettext as _
from locales.phrases import forecast_line
from reports.documents import PLACEMENT_MONEY, follow_up_sheet
from reports.finsam import field_rows, finsam_sheet
from reports.scenarios import scenario_lines
from reports.sheets import to_xlsx
from services import budget_follow_up, finsam_follow_up
from storage.db import unit_of_work


def _line(label: str, line: Line) -> str:
    if line.period_budget is None or line.budget is None:
        return _(
            "%(label)s: utfall %(accrued)s, forecast %(forecast)s",
            label=label,
            accrued=line.accrued,
            forecast=line.forecast,
        )
    assert line.deviation is not None
    return _(
        "%(label)s: budget %(budget)s, for the period %(period)s, utfall %(accrued)s, deviation "
        "%(deviation)s (%(share)s), forecast %(forecast)s",
        label=label,
        budget=line.budget,
        period=line.period_budget,
        accrued=line.accrued,
        deviation=line.deviation,
        share=format_percent(line.deviation_share, 1),
        forecast=line.forecast,
    )


@click.command(
    "follow-up",
    help=_("The budget follow-up of a year in the association's format (default: to today)."),
)
@click.argument("year", type=YEAR)
@click.option(
    "--to", "to", type=DATE, help=_("The cut-off date (default: today, or the year end).")
)
@click.option(
    "--format", "kind", type=click.Choice(("text", "xlsx")), default="text", help=_("text or xlsx")
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help=_("Write to this file.")
)
@click.option(
    "--intake",
    type=WHOLE_NUMBER,
    help=_("A third intake scenario: this many new starts a month."),
)
@pass_runtime
def follow_up(
    runtime: Runtime,
    year: int,
    to: date | None,
    kind: str,
    output: Path | None,
    intake: int | None,
) -> None:
    if kind == "xlsx" and output is None:
        raise click.ClickException(_("An XLSX file needs --output FILE."))
    today = runtime.today()
    to = to or (today if today.year == year else date(year, 12, 31))
    typed = None if intake is None else Decimal(intake)
    with unit_of_work(runtime.sessions, read_only=True) as session:
        found = budget_follow_up.budget_follow_up(
            session, actor=None, year=year, to=to, today=today, typed_intake=typed
        )
    if kind == "xlsx":
        write(to_xlsx([follow_up_sheet(found)]), output)
        return
    lines = [
        _("Budget follow-up %(year)s up to %(date)s", year=str(year), date=to),
        forecast_line(found),
        *scenario_lines(found),
        _line(_(PLACEMENT_MONEY), found.placements),
        *[_line("  " + line.label, line) for line in found.municipalities],
        *[_line(line.label, line) for line in found.other_costs],
        _line(_("Total"), found.total),
    ]
    if found.preliminary:
        lines.append(
            _("Preliminary: the daily rate for %(year)s is not confirmed yet.", year=str(year))
        )
    write(("\n".join(lines) + "\n").encode("utf-8"), output)


@click.command(
    "finsam",
    help=_("The underlag for Uppföljning Finsam: participants by gender, budget and utfall."),
)
@click.argument("year", type=YEAR)
@click.option("--half", type=click.Choice(("1", "2")), help=_("A half-year: 1 or 2."))
@click.option("--report", "store", is_flag=True, help=_("Store the figures as reported."))
@click.option(
    "--format", "kind", type=click.Choice(("text", "xlsx")), default="text", help=_("text or xlsx")
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help=_("Write to this file.")
)
@pass_runtime
def finsam(
    runtime: Runtime, year: int, half: str | None, store: bool, kind: str, output: Path | None
) -> None:
    if kind == "xlsx" and output is None:
        raise click.ClickException(_("An XLSX file needs --output FILE."))
    which = int(half) if half else None
    if store:
        with unit_of_work(runtime.sessions) as session:
            finsam_follow_up.report_finsam(
                session, actor=None, year=year, half=which, now=runtime.now()
            )
    with unit_of_work(runtime.sessions, read_only=True) as session:
        found = finsam_follow_up.finsam(
            session, actor=None, year=year, half=which, today=runtime.today()
        )
    if kind == "xlsx":
        write(to_xlsx([finsam_sheet(found)]), output)
        return
    genders = (Gender.WOMEN, Gender.MEN, Gender.UNKNOWN)
    lines = [
        _(
            "Underlag for Uppföljning Finsam, %(first)s – %(last)s",
            first=found.first,
            last=found.last,
        ),
        _("Reported on %(date)s; the figures are stored as they were then.", date=found.reported_at)
        if found.reported_at
        else _("Computed now, not yet reported."),
    ]
    # The national screens' order: the association, the insats, then the participants.
    for labels in (ASSOCIATION_FIELDS, INSATS_FIELDS):
        lines += [_("%(field)s: %(value)s", field=f, value=v) for f, v in field_rows(found, labels)]
    for label, group in (
        (_("Active in the period"), found.active),
        (_("New in the period"), found.new),
        (_("Ended in the period"), found.ended),
    ):
        counts = ", ".join(f"{_(GENDER_LABELS[g]).lower()} {group.count(g)}" for g in genders)
        lines.append(
            _("%(label)s: %(total)s (%(counts)s)", label=label, total=group.total, counts=counts)
        )
    write(("\n".join(lines) + "\n").encode("utf-8"), output)
