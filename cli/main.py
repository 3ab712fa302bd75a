"""`mm`: one console script for operators. Swedish output, Swedish errors, no tracebacks."""

from __future__ import annotations

import gettext as stdlib_gettext
import logging
import os
from collections.abc import Callable
from datetime import date, datetime, time
from functools import cached_property
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from cli.params import DATE
from domain.clock import STOCKHOLM, Clock, FixedClock, SystemClock, local_date
from domain.errors import DomainError, SettingsError
from locales import LOCALES_DIR, render
from locales import gettext as _
from storage.db import make_engine, session_factory

log = logging.getLogger("mm")


class Runtime:
    """What commands share: the database and the clock, opened only when first needed."""

    def __init__(self, today: date | None = None) -> None:
        self.clock: Clock = SystemClock()
        if today:
            self.act_on(today)

    def act_on(self, today: date) -> None:
        """From now on, act as if it were noon on `today` (for --date)."""
        self.clock = FixedClock(datetime.combine(today, time(12), STOCKHOLM))

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(make_engine())

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return local_date(self.now())


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


pass_runtime: Callable[..., Any] = click.make_pass_decorator(Runtime)


@click.group(cls=SwedishGroup, help=_("Möjlighetsmodellen: referrals, placements and budget."))
@click.option("--date", "today", type=DATE, help=_("Act as if today were this date."))
@click.pass_context
def cli(ctx: click.Context, today: Any) -> None:
    ctx.obj = Runtime(today)


def _register() -> None:
    from bot import cli as chat_commands
    from cli import commands

    commands.register(cli)
    chat_commands.register(cli)


def main() -> None:
    speak_swedish()
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))
    _register()
    cli(prog_name="mm")
