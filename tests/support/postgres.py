"""A throwaway PostgreSQL cluster for the test session: initdb in a temporary directory, on
a free port, stopped at the end. Set MM_TEST_POSTGRES_URL to use a server of your own."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import make_engine

# owner URL -> the same database as the serving role: how a served site reaches it.
SERVING: dict[str, str] = {}


def served_as(url: str) -> str:
    """The URL the site serves `url`'s database with: the serving role where there is one."""
    return SERVING.get(url, url)


@dataclass
class PostgresServer:
    admin_url: str
    datadir: Path | None = None
    bindir: Path | None = None
    run_as: list[str] | None = None
    options: str = ""

    def create_database(self, name: str) -> str:
        engine = make_engine(self.admin_url).execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def _pg_ctl(self, *args: str) -> None:
        assert self.datadir is not None and self.bindir is not None
        subprocess.run(
            [*(self.run_as or []), str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args],
            check=True,
            capture_output=True,
        )

    def pause(self) -> None:
        """Stops the server and keeps its data, for a test of what happens without it."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def resume(self) -> None:
        assert self.datadir is not None
        self._pg_ctl(
            "-l", str(self.datadir.parent / "server.log"), "-w", "-o", self.options, "start"
        )

    def serving_role(self, database_url: str, name: str = "mm_site") -> str:
        """A login role without ownership of anything, as the site serves (DATABASE_URL),
        and the URL of `database_url`'s database as that role. The owner (the admin URL's
        role) migrates; storage.migrate.grant_serving_role gives the role what it needs."""
        engine = make_engine(self.admin_url).execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}
            ).first()
            if exists is None:
                connection.execute(text(f'CREATE ROLE "{name}" LOGIN'))
        engine.dispose()
        return (
            make_url(database_url)
            .set(username=name, password=None)
            .render_as_string(hide_password=False)
        )

    def stop(self) -> None:
        if self.datadir is not None and self.bindir is not None:
            subprocess.run(
                [
                    *self.run_as,
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.datadir),
                    "-m",
                    "immediate",
                    "stop",
                ],
                check=False,
                capture_output=True,
            )
            shutil.rmtree(self.datadir.parent, ignore_errors=True)


def _bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    found = candidates[0] if candidates else shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_postgres() -> PostgresServer:
    own = os.environ.get("MM_TEST_POSTGRES_URL")
    if own:
        return PostgresServer(admin_url=own)
    bindir = _bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL is not installed, so the PostgreSQL tests are skipped "
            "(`make test` installs it with apt when run as root)."
        )
    # Directly under /tmp: the server's user must be able to reach it.
    base = Path(tempfile.mkdtemp(prefix="mm-postgres-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        user = pwd.getpwnam("postgres")
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    datadir, port = base / "data", _free_port()
    subprocess.run(
        [
            *run_as,
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        [
            *run_as,
            str(bindir / "pg_ctl"),
            "-D",
            str(datadir),
            "-l",
            str(base / "server.log"),
            "-w",
            "-o",
            options,
            "start",
        ],
        check=True,
        capture_output=True,
    )
    return PostgresServer(
        admin_url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
        datadir=datadir,
        bindir=bindir,
        run_as=run_as,
        options=options,
    )
