"""`mm`: one console script for operators. Swedish output, Swedish errors, no tracebacks.

Commands are loaded when they run: `mm --help` and `mm budget` do not pay for importing the
chat bot or Alembic. The list of commands reads each one's help from its own source
(`own_help`), so each help text is written once, beside its command.
"""

from __future__ import annotations

import ast
import gettext as stdlib_gettext
import importlib
import importlib.util
import logging
import os
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from cli.params import DATE
from cli.runtime import Runtime
from domain.errors import DomainError, SettingsError
from locales import LOCALES_DIR, render
from locales import gettext as _
from storage import credentials
from storage.crypto import DataKeyError

log = logging.getLogger("mm")

# name -> (module, attribute) of each command. Its help is the command's own (`help=_(…)` in
# its decorator, or its docstring): `mm --help` reads it from the module's source, unloaded.
COMMANDS: dict[str, tuple[str, str]] = {
    "db": ("cli.commands", "db"),
    "program": ("cli.commands", "program"),
    "user": ("cli.accounts", "user"),
    "token": ("cli.tokens", "token"),
    "demo": ("cli.accounts", "demo"),
    "budget": ("cli.commands", "budget"),
    "places": ("cli.commands", "places"),
    "indicators": ("cli.commands", "indicators"),
    "figures": ("cli.commands", "figures"),
    "purge": ("cli.privacy", "purge"),
    "keys": ("cli.keys", "keys"),
    "audit": ("cli.trail", "audit"),
    "backup": ("cli.privacy", "backup"),
    "requisition": ("cli.requisition_commands", "requisition"),
    "accruals": ("cli.requisition_commands", "accruals"),
    "follow-up": ("cli.report_commands", "follow_up"),
    "finsam": ("cli.report_commands", "finsam"),
    "chat": ("bot.cli", "chat"),
    "municipality": ("bot.cli", "municipality"),
    "digest": ("cli.digest_commands", "digest"),
}


def own_help(module: str, attribute: str) -> str:
    """The help msgid a command gives itself, read from its module's source without importing
    it (nor the chat bot or Alembic behind it): the `help=_("…")` of its @click.command or
    @click.group, else its docstring."""
    spec = importlib.util.find_spec(module)
    source = Path(spec.origin).read_text(encoding="utf-8") if spec and spec.origin else ""
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == attribute:
            given = [_help_msgid(d) for d in node.decorator_list]
            return next((msgid for msgid in given if msgid), ast.get_docstring(node) or "")
    return ""


def _help_msgid(decorator: ast.expr) -> str | None:
    """`"…"` of a decorator `@click.command(…, help=_("…"))`; None for any other."""
    for keyword in decorator.keywords if isinstance(decorator, ast.Call) else []:
        text = keyword.value
        if keyword.arg == "help" and isinstance(text, ast.Call) and text.args:
            msgid = text.args[0]
            return (
                msgid.value
                if isinstance(msgid, ast.Constant) and isinstance(msgid.value, str)
                else None
            )
    return None


class SwedishGroup(click.Group):
    """Turns every known kind of failure into a Swedish sentence and a non-zero exit, and
    loads each command from COMMANDS when it is run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            module, attribute = COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The list of commands from their own help texts, without loading them.
        listed = {
            name: self.commands.get(name) or click.Command(name, help=_(own_help(*COMMANDS[name])))
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
