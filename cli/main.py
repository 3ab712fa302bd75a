"""`mm`: one console script for operators. Swedish output, Swedish errors, no tracebacks."""

from __future__ import annotations

import gettext as stdlib_gettext
import logging
import os
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from cli.params import DATE
from cli.runtime import Runtime
from domain.errors import DomainError, SettingsError
from locales import LOCALES_DIR, render
from locales import gettext as _

log = logging.getLogger("mm")


class SwedishGroup(click.Group):
    """Turns every known kind of failure into a Swedish sentence and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as error:
            raise click.ClickException(render(error.text)) from None
        except SettingsError as error:
            lines = [_("The settings file has errors:")]
            lines += [f"  – {render(problem)}" for problem in error.problems]
            raise click.ClickException("\n".join(lines)) from None
        except SQLAlchemyError as error:
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


def _register() -> None:
    # Late: `mm --help` should not pay for importing what a command it does not run needs.
    from bot import cli as chat_commands
    from bot import digest_cli
    from cli import commands

    commands.register(cli)
    chat_commands.register(cli)
    cli.add_command(digest_cli.digest)


def main() -> None:
    speak_swedish()
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))
    _register()
    cli(prog_name="mm")
