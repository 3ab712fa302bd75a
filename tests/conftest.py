"""Shared fixtures: the program, a migrated database (SQLite, and a real PostgreSQL server
started for the session), and a clock."""

from __future__ import annotations

import filecmp
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy.orm import Session, sessionmaker

from domain.program import Program
from programs import DEFAULT_PROGRAM_FILE
from services import password_hashing
from services.program_setup import install_program, load_program_file
from storage import crypto, migrate
from storage.db import make_engine, session_factory, unit_of_work
from tests.support.fresh_state import (
    INSTALLED_AT,
    PostgresState,
    copy_sqlite,
    copy_sqlite_demo,
    sqlite_installed,
)
from tests.support.postgres import PostgresServer, start_postgres
from tests.support.snapshots import National, Snapshots

pytest_plugins = ["tests.support.world"]

# One fixed key to the personal data for every test and every server a test starts (they
# inherit the environment), so no test writes instance/data_key in the working copy.
os.environ[crypto.ENV_KEY] = crypto.Keyring(b"i" * 32, (b"d" * 32,)).text()
os.environ.pop(crypto.ENV_KEY_FILE, None)
# Passwords hashed with 1 MiB and one pass instead of 64 MiB, three passes and four lanes
# (services.password_hashing): the same argon2id code, ~1.5 ms a login instead of ~0.3 s;
# 445 hashes and checks took ~180 s of the test processes' time. The default parameters are
# held by tests/test_password_hashing.py.
os.environ[password_hashing.ENV] = "m=1024,t=1,p=1"
# No time limit on a Hypothesis example: how long one takes is not what these tests check
# (speed is `make bench`'s), and under the whole suite on two cores a 1-ms example once took
# 375 ms, over Hypothesis' default 200.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files with the most slow tests first, the rest in their order. `make test` hands
    out whole files to its workers (pytest-xdist's --dist loadfile) in the order collected,
    and the slowest (Chromium, served sites, tests/web/) came last alphabetically: one worker
    ran alone for the last minutes while the others waited. Longest first, they end nearer
    together."""
    slow = Counter(item.path for item in items if item.get_closest_marker("slow") is not None)
    items.sort(key=lambda item: -slow[item.path])  # stable: a file's own order is kept


@pytest.fixture(scope="session")
def program() -> Program:
    return load_program_file(DEFAULT_PROGRAM_FILE)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite file, copied for each test (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def postgres_migrated(postgres_server: PostgresServer) -> str:
    """The test database, migrated as its owner; the URL is the owner's."""
    url = postgres_server.create_database("mm_tests")
    migrate.upgrade(url, serving_url=postgres_server.serving_role(url))
    return url


@pytest.fixture(scope="session")
def postgres_serving(postgres_server: PostgresServer, postgres_migrated: str) -> str:
    """The same database as the site serves it: a role that may not change the trail."""
    return postgres_server.serving_role(postgres_migrated)


@pytest.fixture(scope="session")
def postgres_state(postgres_migrated: str) -> Iterator[PostgresState]:
    """Empties the test database, or sets it to the program's install, for each test."""
    state = PostgresState(postgres_migrated)
    yield state
    state.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A migrated, empty database of each kind; tests using it run once per database. On
    PostgreSQL as the owner; the served site uses `serving_url`."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    state = request.getfixturevalue("postgres_state")
    if "sessions" in request.fixturenames:  # emptied and installed in one step
        state.reset_installed(request.getfixturevalue("program"), INSTALLED_AT)
    else:
        state.empty()
    return state.url


@pytest.fixture
def serving_url(request: pytest.FixtureRequest, database_url: str) -> str:
    """`database_url` as the site serves it: on PostgreSQL as a role that may not change the
    trail (the data builders and the use-case tests work as the owner, `database_url`)."""
    if database_url.startswith("sqlite"):
        return database_url
    return request.getfixturevalue("postgres_serving")


@pytest.fixture
def sessions(
    request: pytest.FixtureRequest, database_url: str, program: Program
) -> Iterator[sessionmaker[Session]]:
    """Session factory on a database with the Skåne Nordost program installed (as
    `install_program` leaves it; tests.support.fresh_state makes it faster)."""
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        template = request.getfixturevalue("sqlite_template")
        if filecmp.cmp(path, template, shallow=False):  # nothing has opened it yet
            copy_sqlite(sqlite_installed(template, program, INSTALLED_AT), Path(path))
        else:
            opened = make_engine(database_url)
            with unit_of_work(session_factory(opened)) as session:
                install_program(session, program, now=INSTALLED_AT)
            opened.dispose()
    else:
        request.getfixturevalue("postgres_state").install(program, INSTALLED_AT)
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def sqlite_sessions(tmp_path, program: Program, sqlite_template: str):
    """Like `sessions`, SQLite only: for rules whose storage cannot differ by database."""
    path = tmp_path / "test.sqlite3"
    copy_sqlite(sqlite_installed(sqlite_template, program, INSTALLED_AT), path)
    engine = make_engine(f"sqlite:///{path}")
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def sqlite_demo_sessions(tmp_path, program: Program, sqlite_template: str):
    """Like `sqlite_sessions`, with `mm demo`'s data loaded on Monday 23 November 2026 at
    06:00 (seconds to load: done once per test process, then copied)."""
    path = tmp_path / "test.sqlite3"
    copy_sqlite_demo(sqlite_template, program, path)
    engine = make_engine(f"sqlite:///{path}")
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_snapshots(tmp_path_factory, program: Program, sqlite_template: str):
    """National data sets on SQLite, built once per test process (tests.support.snapshots)."""
    return Snapshots("sqlite", program, tmp_path_factory.mktemp("snapshots"), sqlite_template)


@pytest.fixture(scope="session")
def postgres_snapshots(tmp_path_factory, program: Program, postgres_server: PostgresServer):
    snapshots = Snapshots(
        "postgresql", program, tmp_path_factory.mktemp("snapshots"), server=postgres_server
    )
    yield snapshots
    snapshots.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def national(request: pytest.FixtureRequest, tmp_path) -> Iterator[National]:
    """Fresh copies of national data sets of each size, on each kind of database (as
    `sessions`): `national.at(SMALL)`, `national.at(SMALL, LARGE)`."""
    kind = {"sqlite": "sqlite_snapshots", "postgresql": "postgres_snapshots"}[request.param]
    wanted = National(request.getfixturevalue(kind), tmp_path)
    yield wanted
    wanted.close()


@pytest.fixture
def sqlite_national(sqlite_snapshots: Snapshots, tmp_path) -> Iterator[National]:
    """Like `national`, SQLite only (as `sqlite_sessions`)."""
    wanted = National(sqlite_snapshots, tmp_path)
    yield wanted
    wanted.close()
