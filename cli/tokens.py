"""`mm token …`: API tokens from the server's command line. The token is printed once;
only its hash is kept."""

from __future__ import annotations

from datetime import datetime, time

import click

from cli.runtime import Runtime, pass_runtime
from domain.api_tokens import TOKEN_ROLES
from domain.clock import STOCKHOLM
from domain.parsing import parse_date
from locales import format_datetime
from locales import gettext as _
from services import api_tokens
from services.municipalities import find_municipality
from storage.db import unit_of_work


@click.group(help=_("Manage the API's tokens."))
def token() -> None:
    pass


@token.command("add", help=_("Make an API token; it is printed once."))
@click.option("--name", required=True, help=_("What the token is for, e.g. Osby ärendesystem."))
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in TOKEN_ROLES]), help=_("The role.")
)
@click.option("--municipality", help=_("Municipality (name or code), for municipality contacts."))
@click.option("--expires", help=_("The last day the token works, e.g. 2027-06-30."))
@pass_runtime
def token_add(
    runtime: Runtime, name: str, role: str, municipality: str | None, expires: str | None
) -> None:
    expires_at = None
    if expires:
        # Good through the whole last day, Swedish time.
        last = parse_date(expires, field="expires")
        expires_at = datetime.combine(last, time.max, STOCKHOLM)
    with unit_of_work(runtime.sessions) as session:
        found = find_municipality(session, municipality) if municipality else None
        made = api_tokens.add_token(
            session,
            actor=None,
            name=name,
            role=role,
            municipality=found,
            expires_at=expires_at,
            now=runtime.now(),
        )
    click.echo(_("API token %(name)s (shown only now, keep it safe):", name=made.row.name))
    click.echo(made.token)


@token.command("list", help=_("List the API tokens: role, municipality, last use."))
@pass_runtime
def token_list(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions, read_only=True) as session:
        for row in api_tokens.list_tokens(session, actor=None):
            state = (
                _("revoked %(at)s", at=format_datetime(row.revoked_at))
                if row.revoked_at
                else _("last used %(at)s", at=format_datetime(row.last_used_at))
                if row.last_used_at
                else _("never used")
            )
            where = row.user.municipality.name if row.user.municipality else "–"
            click.echo(f"{row.name}\t{row.user.role.value}\t{where}\t{state}")


@token.command("revoke", help=_("Revoke an API token: it is refused from now on."))
@click.argument("name")
@pass_runtime
def token_revoke(runtime: Runtime, name: str) -> None:
    with unit_of_work(runtime.sessions) as session:
        row = api_tokens.revoke_token(session, actor=None, name=name, now=runtime.now())
        click.echo(_("API token %(name)s is revoked.", name=row.name))
