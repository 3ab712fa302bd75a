"""`mm purge` (gallring) and `mm backup` (SQLite's online backup)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from cli.runtime import Runtime, pass_runtime
from domain.errors import RuleViolation
from domain.text import N_
from locales import gettext as _
from locales import ngettext
from services.purge import purge as purge_use_case
from storage.db import create_private_file, database_url, make_engine, unit_of_work

log = logging.getLogger("mm.purge")


@click.command(help=_("Remove personal data past its retention (gallring)."))
@click.option("--dry-run", is_flag=True, help=_("Only list what would be removed."))
@pass_runtime
def purge(runtime: Runtime, dry_run: bool) -> None:
    with unit_of_work(runtime.sessions) as session:
        result = purge_use_case(session, now=runtime.now(), dry_run=dry_run)
    for code in result.codes:
        click.echo(f"  {code}")
    count = len(result.codes)
    if dry_run:
        click.echo(
            ngettext(
                "Would purge the personal data of %(num)d referral.",
                "Would purge the personal data of %(num)d referrals.",
                count,
            )
        )
        click.echo(
            ngettext(
                "Would remove %(num)d row of the audit log past its retention.",
                "Would remove %(num)d rows of the audit log past their retention.",
                result.audit_rows,
            )
        )
        return
    click.echo(
        ngettext(
            "Purged the personal data of %(num)d referral.",
            "Purged the personal data of %(num)d referrals.",
            count,
        )
    )
    click.echo(
        ngettext(
            "Removed %(num)d row of the audit log past its retention.",
            "Removed %(num)d rows of the audit log past their retention.",
            result.audit_rows,
        )
    )
    log.info("purge: %d referrals, %d audit rows", count, result.audit_rows)


@click.command(help=_("Copy the SQLite database to FILE while the site runs."))
@click.argument("target", type=click.Path(path_type=Path))
def backup(target: Path) -> None:
    url = make_url(database_url())
    if url.get_backend_name() != "sqlite" or not url.database:
        raise RuleViolation(
            N_(
                "mm backup copies a SQLite database. For PostgreSQL use pg_dump, for example: "
                "pg_dump --format=custom --file=backup.dump DATABASE"
            )
        )
    if target.exists():
        raise RuleViolation(N_("%(path)s already exists; choose a new file."), path=str(target))
    make_engine(database_url()).dispose()  # the source must exist (and be private)
    create_private_file(target)
    source = sqlite3.connect(url.database)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
    finally:
        copy.close()
        source.close()
    click.echo(_("The database has been copied to %(path)s.", path=str(target)))
