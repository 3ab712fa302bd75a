"""`mm audit verify`: are the audit log and the history as they were written?"""

from __future__ import annotations

import click

from cli.runtime import Runtime, pass_runtime
from locales import gettext as _
from locales.phrases import verification_line
from services.verification import verify_trail
from storage.db import unit_of_work


@click.group(help=_("The tamper-evident audit log and history."))
def audit() -> None:
    pass


@audit.command(
    "verify",
    help=_("Walk the hash chains of the audit log and the history; name the first bad row."),
)
@pass_runtime
def verify(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        found = verify_trail(session, now=runtime.now())
    click.echo(verification_line(found))
    if not found.whole:
        raise click.exceptions.Exit(1)
