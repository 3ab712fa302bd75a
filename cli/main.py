"""`mm`: one console script for operators. Swedish output, Swedish errors, no tracebacks.

Commands are loaded when they run: `mm --help` and `mm budget` do not pay for importing the
chat bot or Alembic. Each command's help for the list is kept here (COMMANDS); a test checks
that it is the command's own.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import importlib
import logging
import os
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from cli.params import DATE
from cli.runtime import Runtime
from domain.errors import DomainError, SettingsError
from domain.text import N_
from locales import LOCALES_DIR, render
from locales import gettext as _
from storage import credentials
from storage.crypto import DataKeyError

log = logging.getLogger("mm")

# name -> (module, attribute, help msgid of the command)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "db": ("cli.commands", "db", N_("Create or upgrade the database.")),
    "program": ("cli.commands", "program", N_("Load and change the program settings.")),
    "user": ("cli.accounts", "user", N_("Manage users.")),
    "token": ("cli.tokens", "token", N_("Manage the API's tokens.")),
    "demo": (
        "cli.accounts",
        "demo",
        N_("Load fictitious demo data: users, referrals and placements."),
    ),
    "budget": (
        "cli.commands",
        "budget",
        N_("Show the budget of a program year (default: this year)."),
    ),
    "places": (
        "cli.commands",
        "places",
        N_("Show free places per municipality (or for one)."),
    ),
    "indicators": ("cli.commands", "indicators", N_("Show the program's goal indicators.")),
    "figures": (
        "cli.commands",
        "figures",
        N_("Check or recount the figures the database keeps for the budget and indicators."),
    ),
    "purge": (
        "cli.privacy",
        "purge",
        N_("Remove personal data past its retention (gallring)."),
    ),
    "keys": ("cli.keys", "keys", N_("The key to the personal data.")),
    "audit": ("cli.trail", "audit", N_("The tamper-evident audit log and history.")),
    "backup": (
        "cli.privacy",
        "backup",
        N_("Copy the SQLite database to FILE while the site runs."),
    ),
    "requisition": (
        "cli.requisition_commands",
        "requisition",
        N_(
            "Show a municipality's requisition basis for a period (e.g. 2026-03 or "
            "2026-03/2026-04)."
        ),
    ),
    "accruals": (
        "cli.requisition_commands",
        "accruals",
        N_("List the accrued costs: ended periods not yet claimed or not yet attested."),
    ),
    "follow-up": (
        "cli.report_commands",
        "follow_up",
        N_("The budget follow-up of a year in the association's format (default: to today)."),
    ),
    "finsam": (
        "cli.report_commands",
        "finsam",
        N_("The underlag for Uppföljning Finsam: participants by gender, budget and utfall."),
    ),
    "chat": (
        "bot.cli",
        "chat",
        N_("Use the chat bot from the command line: the same answers as in Slack, as text."),
    ),
    "municipality": ("bot.cli", "municipality", N_("Settings of the municipalities.")),
    "digest": (
        "bot.digest_cli",
        "digest",
        N_("The daily digest: what is waiting and what is slipping, in chat."),
    ),
}


class SwedishGroup(click.Group):
    """Turns every known kind of failure into a Swedish sentence and a non-zero exit, and
    loads each command from COMMANDS when it is run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            module, attribute, _help = COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The list of commands from their help texts here, without loading them.
        listed = {
            name: self.commands.get(name) or click.Command(name, help=_(COMMANDS[name][2]))
            for name in self.list_commands(ctx)
        }
        click.Group.format_commands(click.Group(commands=listed), ctx, formatter)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as error:
            raise click.ClickException(render(error.text)) from None
        except SettingsError as error:
            lines = [_("The settings file has errors:")]
            lines += [f"  – {render(problem)}" for problem in error.problems]
            raise click.ClickException("\n".join(lines)) from None
        except DataKeyError as error:
            raise click.ClickException(_(error.msgid, **error.params)) from None
        except SQLAlchemyError as error:
            cause = getattr(error, "orig", None)
            if isinstance(cause, DataKeyError):
                raise click.ClickException(_(cause.msgid, **cause.params)) from None
            log.debug("database error", exc_info=error)
            raise click.ClickException(
                _("The database could not be used. Check DATABASE_URL and run mm db upgrade first.")
            ) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            log.debug("unexpected error", exc_info=error)
            raise click.ClickException(
                _("Something unexpected went wrong: %(detail)s", detail=type(error).__name__)
            ) from None


def speak_swedish() -> None:
    """Click's own texts go through the standard gettext module: point it at our catalogue."""
    os.environ["LANGUAGE"] = "sv"
    stdlib_gettext.bindtextdomain("messages", str(LOCALES_DIR))
    stdlib_gettext.textdomain("messages")


@click.group(cls=SwedishGroup, help=_("Möjlighetsmodellen: referrals, placements and budget."))
@click.option("--date", "today", type=DATE, help=_("Act as if today were this date."))
@click.pass_context
def cli(ctx: click.Context, today: Any) -> None:
    ctx.obj = Runtime(today)


def main() -> None:
    credentials.load()  # secrets from systemd's credential files (deploy/systemd)
    speak_swedish()
    if os.environ.get("MM_LOG_FORMAT", "").strip().lower() == "json":
        from web import logs  # one JSON object a line, as the web site's (web/logs.py)

        logs.configure_json(os.environ.get("LOG_LEVEL", "WARNING"))
    else:
        logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))
    cli(prog_name="mm")
