"""Alembic, driven from code so that `mm db upgrade` needs no alembic.ini next to it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from storage.db import database_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
    if revision == "head":
        _restore_figure_triggers(url)


def _restore_figure_triggers(url: str | None) -> None:
    """A later migration that rebuilds a table on SQLite (batch mode) drops the triggers that
    keep the maintained figures; the database is never left without them."""
    from storage import figures
    from storage.db import make_engine

    engine = make_engine(url or database_url())
    try:
        with engine.begin() as connection:
            figures.restore_triggers(connection)
    finally:
        engine.dispose()


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The revisions this code expects the database at (read once: the files do not change
    under a running process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def is_current(connection: Connection) -> bool:
    """Whether the database is at the migrations this code expects (for /readyz): a host
    whose release step has not run, or that is older than the database, should not serve."""
    return frozenset(MigrationContext.configure(connection).get_current_heads()) == (
        head_revisions()
    )
