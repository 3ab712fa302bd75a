"""Units of work that only read: on SQLite they do not take the write lock, so a page or a
chat answer never waits for a writer (or for another reader); on PostgreSQL the database
refuses a write in one, and on both the session refuses to save changes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError

from domain.choices import Role
from storage.db import ReadOnlyError, make_engine, unit_of_work
from storage.models import Municipality, User
from tests.support.clock import moment


def test_a_reader_reads_while_a_writer_holds_the_sqlite_write_lock(sqlite_sessions):
    url = sqlite_sessions.kw["bind"].url
    writer = make_engine(url).connect()
    transaction = writer.begin()  # BEGIN IMMEDIATE: the write lock, held
    writer.execute(insert(Municipality).values(name="Hörby", code="1266", capacity=1, offer=""))
    try:
        with unit_of_work(sqlite_sessions, read_only=True) as session:
            # The committed picture, without the writer's uncommitted row, and at once.
            assert session.scalar(select(func.count()).select_from(Municipality)) == 4
    finally:
        transaction.rollback()
        writer.close()


def test_a_read_only_unit_of_work_refuses_to_save(sessions):
    with pytest.raises(ReadOnlyError), unit_of_work(sessions, read_only=True) as session:
        session.add(Municipality(name="Hörby", code="1266", capacity=1, offer=""))
        session.flush()
    with unit_of_work(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Municipality)) == 4


@pytest.mark.postgres
def test_postgresql_refuses_a_write_in_a_read_only_unit_of_work(postgres_migrated, program):
    from services.program_setup import install_program
    from storage.db import session_factory

    engine = make_engine(postgres_migrated)
    sessions = session_factory(engine)
    try:
        with unit_of_work(sessions) as session:
            install_program(session, program, now=moment(date(2026, 1, 1)))
        user = insert(User).values(
            email="x@test.example",
            name="X",
            role=Role.ADMIN,
            active=True,
            created_at=moment(date(2026, 1, 2)),
        )
        refused = pytest.raises(DBAPIError, match="read-only transaction")
        with refused, unit_of_work(sessions, read_only=True) as session:
            session.execute(user)
        # The pool's connection is a writer's again once the reader is done with it.
        with unit_of_work(sessions) as session:
            session.execute(user)
        with unit_of_work(sessions, read_only=True) as session:
            assert session.scalar(select(func.count()).select_from(User)) == 1
    finally:
        engine.dispose()
