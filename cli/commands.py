"""The operator commands: each parses its input, calls one use case, prints Swedish text."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from cli.params import DATE, KRONOR, YEAR
from cli.runtime import Runtime, pass_runtime
from domain.choices import LABELS, Outcome
from domain.indicators import GOAL_LABELS, Indicator
from locales import format_percent, ngettext, phrases
from locales import gettext as _
from programs import DEFAULT_PROGRAM_FILE
from services import indicator_report, program_setup, reports
from services.municipalities import find_municipality
from services.program_setup import load_program_file
from storage import figures as maintained_figures
from storage.db import unit_of_work


@click.group(help=_("Create or upgrade the database."))
def db() -> None:
    pass


@db.command("upgrade", help=_("Create the database, or bring it up to the latest version."))
def db_upgrade() -> None:
    from storage import migrate  # Alembic only for this command

    migrate.upgrade()
    click.echo(_("The database is up to date."))


@click.group(help=_("Load and change the program settings."))
def program() -> None:
    pass


@program.command("load", help=_("Load a program settings file (default: Skåne Nordost)."))
@click.argument("path", required=False, type=click.Path(path_type=Path))
@pass_runtime
def program_load(runtime: Runtime, path: Path | None) -> None:
    settings = load_program_file(path or DEFAULT_PROGRAM_FILE)
    with unit_of_work(runtime.sessions) as session:
        program_setup.install_program(session, settings, now=runtime.now())
    click.echo(_("The program %(name)s is loaded.", name=settings.name))


@program.command("set-rate", help=_("Confirm the daily rate of a program year, in kronor."))
@click.argument("year", type=YEAR)
@click.argument("rate", type=KRONOR)
@pass_runtime
def program_set_rate(runtime: Runtime, year: int, rate: Any) -> None:
    with unit_of_work(runtime.sessions) as session:
        program_setup.set_daily_rate(session, actor=None, year=year, rate=rate, now=runtime.now())
    click.echo(_("The daily rate for %(year)s is now %(rate)s.", year=str(year), rate=rate))


@click.command(help=_("Show the budget of a program year (default: this year)."))
@click.argument("year", type=YEAR, required=False)
@pass_runtime
def budget(runtime: Runtime, year: int | None) -> None:
    today = runtime.today()
    with unit_of_work(runtime.sessions) as session:
        result = reports.year_budget(session, year=year or today.year, today=today)
    click.echo(
        "\n".join(
            [
                phrases.budget_title(result),
                *phrases.budget_lines(result),
                *phrases.other_cost_lines(result),
            ]
        )
    )


@click.command(help=_("Show free places per municipality (or for one)."))
@click.argument("municipality", required=False)
@pass_runtime
def places(runtime: Runtime, municipality: str | None) -> None:
    with unit_of_work(runtime.sessions) as session:
        wanted = find_municipality(session, municipality).id if municipality else None
        result = reports.availability(session, today=runtime.today())
    for m in result.municipalities:
        if wanted is None or m.municipality_id == wanted:
            click.echo(phrases.place_line(m))
    if wanted is None:
        click.echo(phrases.total_free_line(result))


def _indicator_line(i: Indicator) -> str:
    return _(
        "%(goal)s: %(share)s (%(achieved)s of %(counted)s; goal %(target)s)",
        goal=_(GOAL_LABELS[i.goal]),
        share=format_percent(i.share),
        achieved=i.achieved,
        counted=i.counted,
        target=format_percent(i.target),
    )


@click.command(help=_("Show the program's goal indicators."))
@click.option("--from", "first", type=DATE, help=_("Placements started (or ended) from this day."))
@click.option("--to", "last", type=DATE, help=_("Up to and including this day."))
@click.option("--municipality", help=_("Only this municipality (name or code)."))
@pass_runtime
def indicators(
    runtime: Runtime, first: date | None, last: date | None, municipality: str | None
) -> None:
    today = runtime.today()
    with unit_of_work(runtime.sessions, read_only=True) as session:
        if not (first or last or municipality):
            for i in reports.indicators(session, today=today):
                click.echo(_indicator_line(i))
            return
        program = program_setup.current_program(session)
        found = find_municipality(session, municipality).id if municipality else None
        first, last = first or program.start, last or today
        rows = indicator_report.indicators_report(
            session, actor=None, first=first, last=last, today=today, municipality_id=found
        )
    for row in rows:
        click.echo(
            _(
                "%(municipality)s, %(first)s – %(last)s:",
                municipality=row.label or _("All municipalities"),
                first=first,
                last=last,
            )
        )
        for i in row.indicators:
            click.echo("  " + _indicator_line(i))
        click.echo(
            "  "
            + _(
                "New %(new)s, active %(active)s, ended %(ended)s.",
                new=row.new,
                active=row.active,
                ended=row.ended,
            )
        )
        click.echo(
            "  "
            + _(
                "Outcomes: %(outcomes)s.",
                outcomes=", ".join(f"{_(LABELS[o])} {row.outcomes.get(o, 0)}" for o in Outcome),
            )
        )


@click.group(
    help=_("Check or recount the figures the database keeps for the budget and indicators.")
)
def figures() -> None:
    pass


@figures.command("check", help=_("Compare the kept figures with a recount from every placement."))
@pass_runtime
def figures_check(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions, read_only=True) as session:
        found = maintained_figures.differences(session)
    if found:
        for line in found[:20]:
            click.echo(line)
        raise click.ClickException(
            ngettext(
                "%(num)d kept figure differs from the recount. Run: mm figures rebuild",
                "%(num)d kept figures differ from the recount. Run: mm figures rebuild",
                len(found),
            )
        )
    click.echo(_("The kept figures agree with a recount from every placement."))


@figures.command("rebuild", help=_("Recount the kept figures from every placement."))
@pass_runtime
def figures_rebuild(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        maintained_figures.rebuild(session)
    click.echo(_("The kept figures have been recounted."))
