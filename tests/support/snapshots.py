"""National data sets (tests.support.bulk) built once per test process and copied for each
test: a test that compares a page at two sizes asks for `at(SMALL)` and `at(SMALL, LARGE)`
and gets a fresh database each time, as if it had grown the data itself (building them is
seconds a test; copying them is milliseconds). On SQLite a copy of the snapshot's file; on
PostgreSQL `CREATE DATABASE … TEMPLATE` the snapshot's database on the test server."""

from __future__ import annotations

import itertools
import os
import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from domain.program import Program
from services.program_setup import install_program
from storage import migrate
from storage.db import make_engine, session_factory, unit_of_work
from tests.support.bulk import NationalSize, build_national
from tests.support.clock import moment
from tests.support.postgres import PostgresServer

Sizes = tuple[NationalSize, ...]


class Snapshots:
    """Snapshots of one kind of database ("sqlite" or "postgresql"): the migrated schema with
    the program installed, then `build_national` of each size in turn, on top of the one
    before (a snapshot of (SMALL, LARGE) is a copy of SMALL's, grown by LARGE)."""

    def __init__(
        self,
        kind: str,
        program: Program,
        folder: Path,
        sqlite_template: str | None = None,
        server: PostgresServer | None = None,
    ) -> None:
        self.kind = kind
        self._program = program
        self._folder = folder
        self._sqlite_template = sqlite_template
        self._server = server
        self._built: dict[Sizes, str] = {}
        # Unique on a server shared by several test processes (MM_TEST_POSTGRES_URL).
        self._names = (f"mm_snap_{os.getpid()}_{n}" for n in itertools.count())

    def snapshot(self, sizes: Sizes) -> str:
        """The URL of the snapshot of `sizes`, built on first use; never opened by a test."""
        if sizes not in self._built:
            url = self._new_database(self.snapshot(sizes[:-1]) if sizes else None)
            engine = make_engine(url)
            with unit_of_work(session_factory(engine)) as session:
                if sizes:
                    build_national(session, sizes[-1])
                else:
                    install_program(session, self._program, now=moment(date(2026, 1, 1)))
            engine.dispose()  # SQLite: the last connection closed writes the WAL back
            self._built[sizes] = url
        return self._built[sizes]

    def copy(self, sizes: Sizes, path: Path) -> str:
        """A fresh database with the data of `sizes`: its URL (on SQLite the file `path`)."""
        return self._new_database(self.snapshot(sizes), path)

    def _new_database(self, like: str | None, path: Path | None = None) -> str:
        name = next(self._names)
        if self.kind == "sqlite":
            target = path or self._folder / f"{name}.sqlite3"
            source = make_url(like).database if like else self._sqlite_template
            assert source is not None and not Path(f"{source}-wal").exists()
            shutil.copy(source, target)
            return f"sqlite:///{target}"
        server = self._server
        assert server is not None
        if like is None:
            url = server.create_database(name)
            migrate.upgrade(url, serving_url=server.serving_role(url))
            return url
        admin = make_engine(server.admin_url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            template = make_url(like).database
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        admin.dispose()
        return make_url(server.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        """Removes a copy (PostgreSQL; SQLite's files go with pytest's temporary folders)."""
        if self._server is not None:
            admin = make_engine(self._server.admin_url)
            with admin.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
                database = make_url(url).database
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()

    def close(self) -> None:
        for url in self._built.values():
            self.drop(url)


class National:
    """What a test asks for: `at(SMALL)`, then `at(SMALL, LARGE)`, each a session factory on a
    fresh copy; the copies are closed (and on PostgreSQL dropped) when the test ends."""

    def __init__(self, snapshots: Snapshots, folder: Path) -> None:
        self._snapshots = snapshots
        self._folder = folder
        self._open: list[tuple[Engine, str]] = []

    def at(self, *sizes: NationalSize) -> sessionmaker[Session]:
        path = self._folder / f"national-{len(self._open)}.sqlite3"
        url = self._snapshots.copy(sizes, path)
        engine = make_engine(url)
        self._open.append((engine, url))
        return session_factory(engine)

    def close(self) -> None:
        for engine, url in self._open:
            engine.dispose()
            self._snapshots.drop(url)
