"""Alembic, driven from code so that `mm db upgrade` needs no alembic.ini next to it.

Alembic is imported only to migrate: /readyz (is_current) reads the revision table and the
migration files itself. Alembic and the scripts it loads are ~25 MB in every web worker
that a load balancer asks whether it is ready (README: worker memory)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import make_url

from storage.db import database_url, owner_database_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which storage/migrations/env.py keeps


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def upgrade(
    url: str | None = None, revision: str = "head", *, serving_url: str | None = None
) -> None:
    """Migrates as the owner (`url`, default DATABASE_OWNER_URL or DATABASE_URL); on
    PostgreSQL a different serving role (`serving_url`, default DATABASE_URL) gets what the
    site needs and no more."""
    from storage import crypto
    from storage.db import make_engine

    url = url or owner_database_url()
    engine = make_engine(url)
    try:  # the key the rows are (or will be) encrypted with, before any row is touched
        crypto.check_database(engine)
    finally:
        engine.dispose()
    from alembic import command

    command.upgrade(alembic_config(url), revision)
    if revision == "head":
        _restore_figure_triggers(url)
        grant_serving_role(url, serving_url or database_url())


# The trail: the serving role may read it and add to it, never change or remove it.
TRAIL_TABLES = ("audit_log", "event", "trail_checkpoint", "trail_verification")


def grant_serving_role(owner_url: str, serving_url: str) -> None:
    """PostgreSQL, when the site serves as another role than the owner: every table to read
    and write, except the trail (SELECT and INSERT only), and mm_purge_trail to run."""
    owner, serving = make_url(owner_url), make_url(serving_url)
    if owner.get_backend_name() != "postgresql" or serving.username in (None, owner.username):
        return
    from storage.db import make_engine

    role = '"' + str(serving.username).replace('"', '""') + '"'
    trail = ", ".join(TRAIL_TABLES)
    engine = make_engine(owner_url)
    try:
        with engine.begin() as connection:
            for statement in (
                f"GRANT USAGE ON SCHEMA public TO {role}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
                f"REVOKE UPDATE, DELETE, TRUNCATE ON {trail} FROM {role}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
                "REVOKE ALL ON FUNCTION mm_purge_trail(text, integer) FROM PUBLIC",
                f"GRANT EXECUTE ON FUNCTION mm_purge_trail(text, integer) TO {role}",
            ):
                connection.execute(text(statement))
    finally:
        engine.dispose()


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
    from alembic import command

    command.downgrade(alembic_config(url or owner_database_url()), revision)


# A migration file's own revision and the one(s) it follows, as Alembic reads them.
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The revisions this code expects the database at: those no migration follows (read
    once: the files do not change under a running process). Alembic's own answer
    (ScriptDirectory.get_heads) is the same (tests/test_worker_imports.py), without loading
    Alembic and every migration module."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        down = _DOWN_REVISION.search(source)
        if revision is None or down is None:
            raise RuntimeError(f"{path.name}: no revision or down_revision line")
        revisions.add(revision.group(1))
        followed.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return frozenset(revisions - followed)


def current_revisions(connection: Connection) -> frozenset[str]:
    """The revisions the database is at (none before its first migration)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    return frozenset(connection.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")))


def is_current(connection: Connection) -> bool:
    """Whether the database is at the migrations this code expects (for /readyz): a host
    whose release step has not run, or that is older than the database, should not serve."""
    return current_revisions(connection) == head_revisions()
