"""The restore drill, as the operations team runs it (README: Running it in production): back
up (SQLite: `mm backup`; PostgreSQL: pg_dump in its custom format), restore into a fresh
database (pg_restore), check it with the command line, and serve the same pages from it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from domain.choices import Role
from storage import figures
from storage.db import make_engine
from tests.support.clock import MovableClock, moment
from tests.support.login import logged_in_cookie
from web import create_app

MM = str(Path(sys.executable).parent / "mm")
TODAY = date(2026, 11, 23)


def mm(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [MM, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def pages(url: str, cookie: str, paths: list[str]) -> dict[str, str]:
    """What the coordinator sees, without the per-request CSRF tokens."""
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "drill", "CLOCK": MovableClock(moment(TODAY, 11))}
    )
    client = app.test_client()
    client.set_cookie("mm_session", cookie)
    seen = {}
    for path in paths:
        answer = client.get(path)
        assert answer.status_code == 200, path
        seen[path] = re.sub(r'value="[^"]*"', 'value=""', answer.get_data(as_text=True))
    app.extensions["mm.sessions"].kw["bind"].dispose()
    return seen


def backup_and_restore(database_url: str, request, tmp_path: Path) -> str:
    """The restored database's URL."""
    if make_url(database_url).get_backend_name() == "sqlite":
        copy = tmp_path / "restored.sqlite3"
        done = mm(database_url, "backup", str(copy), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"Databasen har kopierats till {copy}."
        assert copy.stat().st_mode & 0o777 == 0o600
        return f"sqlite:///{copy}"
    server = request.getfixturevalue("postgres_server")
    bindir = server.bindir or Path(shutil.which("pg_dump") or "/usr/bin/pg_dump").parent
    dump = tmp_path / "backup.dump"

    def libpq(url: str) -> str:
        return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    subprocess.run(
        [str(bindir / "pg_dump"), "--format=custom", f"--file={dump}", libpq(database_url)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    restored = server.create_database("mm_restored")
    subprocess.run(
        [str(bindir / "pg_restore"), "--no-owner", "--exit-on-error", "--dbname", libpq(restored),
         str(dump)],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    return restored


@pytest.mark.slow
def test_a_backup_restored_passes_the_checks_and_serves_the_same_pages(
    database_url, world, request, tmp_path
):
    investigator = world.user(Role.INVESTIGATOR)
    contact = world.user(Role.MUNICIPALITY_CONTACT, municipality="Osby")
    coordinator = world.user(Role.COORDINATOR)
    running = world.started(investigator, contact, "Osby", date(2026, 10, 5))
    waiting = world.file(investigator, "Kristianstad", date(2026, 11, 2))
    cookie = logged_in_cookie(world.sessions, coordinator.user_id, moment(TODAY, 11))
    paths = [
        "/oversikt",
        "/anmalningar",
        f"/anmalningar/{running.reference_code}",
        f"/anmalningar/{waiting.reference_code}",
    ]
    before = pages(database_url, cookie, paths)

    restored = backup_and_restore(database_url, request, tmp_path)

    check = mm(restored, "figures", "check", cwd=tmp_path)
    assert (check.returncode, check.stdout.strip()) == (
        0,
        "De sparade siffrorna stämmer med en omräkning från varje träningsplats.",
    ), check.stderr
    # The restored audit log and history are whole: their hash chains verify.
    verified = mm(restored, "audit", "verify", cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    engine = make_engine(restored)
    with engine.connect() as connection:
        assert figures.missing_triggers(connection) == []  # the kept figures stay kept
    engine.dispose()
    assert pages(restored, cookie, paths) == before
