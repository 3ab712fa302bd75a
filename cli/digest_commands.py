"""`mm digest`: the daily digest from the command line and from a scheduler.

mm digest --dry-run [--date 2026-11-23]   print the day's digests as text, send nothing
mm digest send [--date 2026-11-23]        queue and send them now (for plain cron)
mm digest schedule                        run the scheduler (the Procfile's `digest` process)
"""

from __future__ import annotations

from datetime import date

import click
from sqlalchemy import select

from bot.runtime import open_chat_runtime
from bot.schedule import DigestReport, run, run_digests
from cli.params import DATE
from cli.runtime import Runtime, pass_runtime
from digest.plan import as_text, plan
from digest.settings import DigestSchedule
from domain.calendar import is_working_day
from locales import gettext as _
from locales import render
from storage.db import unit_of_work
from storage.models import Municipality
from transports.delivery_reasons import reason_text
from transports.slack.settings import ChatSettings

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
        report = run_digests(chat_runtime, schedule, runtime.today())
    finally:
        chat_runtime.close()
    with unit_of_work(runtime.sessions) as session:
        names = {
            channel: name
            for channel, name in session.execute(
                select(Municipality.slack_channel, Municipality.name)
            )
            if channel
        }
    names.setdefault(schedule.channel, _("the coordinator"))
    click.echo(report_text(report, runtime.today(), names))
    if not report.complete:
        raise click.exceptions.Exit(1)


def _place(channel: str, names: dict[str, str]) -> str:
    name = names.get(channel)
    return f"{name} ({channel})" if name else channel


def report_text(report: DigestReport, day: date, names: dict[str, str]) -> str:
    """What `mm digest send` prints: a count of each outcome, then what needs a look."""
    lines = [
        _(
            "Digests for %(date)s: sent now %(sent)d, sent before %(before)d, waiting for a new "
            "try %(waiting)d, not delivered %(failed)d.",
            date=day,
            sent=len(report.sent_now),
            before=len(report.already_sent),
            waiting=len(report.waiting),
            failed=len(report.undelivered),
        )
    ]
    for item in report.waiting:
        lines.append(
            _(
                "  – %(place)s: tried again from %(time)s. %(reason)s",
                place=_place(item.channel, names),
                time=item.next_attempt_at,
                reason=render(reason_text(item.reason)),
            )
        )
    for failed in report.undelivered:
        lines.append(
            _(
                "  – %(place)s: not delivered. %(reason)s",
                place=_place(failed.channel, names),
                reason=render(reason_text(failed.reason)),
            )
        )
    for channel in report.elsewhere:
        lines.append(
            _("  – %(place)s: being sent by another process.", place=_place(channel, names))
        )
    return "\n".join(lines)


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
