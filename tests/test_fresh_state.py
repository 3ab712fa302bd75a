"""The databases the fixtures give a test (tests/support/fresh_state.py): the program's install
copied or written back is the install, row for row and sequence for sequence, with a revision
of the program of its own (an install draws a new one), whatever the test before changed;
and an emptied database holds nothing."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlalchemy import Engine, select, text

from domain.choices import Role
from services.program_setup import install_program
from storage.db import make_engine, session_factory, unit_of_work
from storage.models import Base
from tests.support.fresh_state import INSTALLED_AT, copy_sqlite, sqlite_installed
from tests.support.world import World


def _contents(engine: Engine) -> dict[str, list[str]]:
    """Every table's rows, in an order that does not depend on how they were written; the
    program's random revision apart."""
    with engine.connect() as connection:
        return {
            table.name: sorted(
                repr(tuple(row))
                for row in connection.execute(
                    select(*(c for c in table.columns if (table.name, c.name) != _REVISION))
                )
            )
            for table in Base.metadata.sorted_tables
        }


_REVISION = ("program", "revision")


def _revision(engine: Engine) -> str:
    with engine.connect() as connection:
        return connection.execute(text("SELECT revision FROM program")).scalar_one()


def _next_ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        names = connection.execute(
            text(
                "SELECT s.oid::regclass::text FROM pg_class s JOIN pg_depend d"
                " ON d.objid = s.oid AND d.deptype IN ('a', 'i') WHERE s.relkind = 'S'"
            )
        ).scalars()
        found = {}
        for name in names:
            last, called = connection.execute(
                text(f"SELECT last_value, is_called FROM {name}")
            ).one()
            found[name] = last + 1 if called else last
        return found


def _sql(engine: Engine, statement: str) -> None:
    with engine.begin() as connection:
        assert connection.execute(text(statement)).rowcount == 1


def _some_work(engine: Engine) -> None:
    world = World(session_factory(engine))
    world.file(world.user(Role.INVESTIGATOR), "Osby", date(2026, 3, 2))


@pytest.mark.postgres
def test_postgresql_gets_the_install_written_back_as_it_was_and_empties_to_nothing(
    postgres_state, program
):
    engine = make_engine(postgres_state.url)
    postgres_state.empty()
    with unit_of_work(session_factory(engine)) as session:
        install_program(session, program, now=INSTALLED_AT)
    installed, installed_ids = _contents(engine), _next_ids(engine)
    assert installed["municipality"] and installed["event"]

    revisions = set()
    for _ in range(3):  # the first time may install and keep; then it writes back
        _some_work(engine)
        postgres_state.empty()
        postgres_state.install(program, INSTALLED_AT)
        assert _contents(engine) == installed
        assert _next_ids(engine) == installed_ids
        revisions.add(_revision(engine))

    # Emptied and installed in one step (`sessions`): whatever the test changed, including a
    # kept row changed in place and a kept row taken away, and after a step that changed none.
    changes = [
        _some_work,
        lambda e: _sql(e, "UPDATE municipality SET capacity = capacity + 1 WHERE code = '1273'"),
        lambda e: _sql(e, "DELETE FROM compensable_day WHERE day = '2026-03-02'"),
        lambda e: None,
        _some_work,
    ]
    for change in changes:
        change(engine)
        postgres_state.reset_installed(program, INSTALLED_AT)
        postgres_state.install(program, INSTALLED_AT)  # what `sessions` asks: done already
        assert _contents(engine) == installed
        assert _next_ids(engine) == installed_ids
        revisions.add(_revision(engine))
    assert len(revisions) == 3 + len(changes)

    _some_work(engine)
    postgres_state.empty()
    assert all(rows == [] for rows in _contents(engine).values())
    assert set(_next_ids(engine).values()) == {1}
    engine.dispose()


def test_sqlite_gets_a_copy_of_the_install(sqlite_template, program, tmp_path):
    made = tmp_path / "installed.sqlite3"
    shutil.copy(sqlite_template, made)
    engine = make_engine(f"sqlite:///{made}")
    with unit_of_work(session_factory(engine)) as session:
        install_program(session, program, now=INSTALLED_AT)
    for name in ("first.sqlite3", "second.sqlite3"):
        copy_sqlite(sqlite_installed(sqlite_template, program, INSTALLED_AT), tmp_path / name)
    first, second = (
        make_engine(f"sqlite:///{tmp_path / n}") for n in ("first.sqlite3", "second.sqlite3")
    )
    assert _contents(first) == _contents(second) == _contents(engine)
    assert len({_revision(first), _revision(second), _revision(engine)}) == 3
    for opened in (engine, first, second):
        opened.dispose()
