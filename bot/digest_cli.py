"""`mm digest`: the daily digest from the command line and from a scheduler.

mm digest --dry-run [--date 2026-11-23]   print the day's digests as text, send nothing
mm digest send [--date 2026-11-23]        queue and send them now (for plain cron)
mm digest schedule                        run the scheduler (the Procfile's `digest` process)
"""

from __future__ import annotations

from datetime import date

import click

from bot.digest import as_text, plan
from bot.runtime import open_chat_runtime
from bot.schedule import run, send_digests
from bot.settings import ChatSettings, DigestSchedule
from cli.params import DATE
from cli.runtime import Runtime, pass_runtime
from domain.calendar import is_working_day
from locales import gettext as _
from locales import ngettext
from storage.db import unit_of_work

DATE_HELP = _("The day of the digest (default: today).")


def _day_off(day: date) -> bool:
    if is_working_day(day):
        return False
    click.echo(_("%(date)s is not a working day: no digest is sent.", date=day))
    return True


@click.group(
    invoke_without_command=True,
    help=_("The daily digest: what is waiting and what is slipping, in chat."),
)
@click.option("--dry-run", is_flag=True, help=_("Print the digests as text; send nothing."))
@click.option("--date", "day", type=DATE, help=DATE_HELP)
@click.pass_context
def digest(ctx: click.Context, dry_run: bool, day: date | None) -> None:
    runtime = ctx.ensure_object(Runtime)
    if day:
        runtime.act_on(day)
    if ctx.invoked_subcommand is not None:
        return
    if not dry_run:
        click.echo(ctx.get_help())
        return
    schedule = DigestSchedule.load()
    if _day_off(runtime.today()):
        return
    with unit_of_work(runtime.sessions) as session:
        planned = plan(
            session,
            today=runtime.today(),
            now=runtime.now(),
            settings=ChatSettings.load(),
            schedule=schedule,
            include_unset=True,
        )
    click.echo(as_text(planned))


@digest.command("send", help=_("Send the day's digests now (for cron); each channel gets one."))
@click.option("--date", "day", type=DATE, help=DATE_HELP)
@pass_runtime
def send(runtime: Runtime, day: date | None) -> None:
    if day:
        runtime.act_on(day)
    schedule = DigestSchedule.load()
    if _day_off(runtime.today()):
        return
    chat_runtime = open_chat_runtime(runtime.sessions, runtime.clock)
    try:
        queued = send_digests(chat_runtime, schedule, runtime.today())
    finally:
        chat_runtime.close()
    click.echo(
        ngettext(
            "%(num)d digest sent now; a channel that already had today's was left alone.",
            "%(num)d digests sent now; a channel that already had today's was left alone.",
            len(queued),
        )
    )


@digest.command("schedule", help=_("Run the scheduler that sends the digest every working day."))
@pass_runtime
def schedule(runtime: Runtime) -> None:
    settings = DigestSchedule.load()
    chat_runtime = open_chat_runtime(runtime.sessions, runtime.clock)
    click.echo(
        _(
            "The digest is sent %(days)s at %(time)s (Europe/Stockholm). Stop with Ctrl+C.",
            days=settings.days,
            time=settings.at.strftime("%H:%M"),
        )
    )
    try:
        run(chat_runtime, settings)
    except KeyboardInterrupt:
        pass
    finally:
        chat_runtime.close()
