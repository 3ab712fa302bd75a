"""Migrations run on SQLite and on a real PostgreSQL server, and match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage import migrate
from storage.db import make_engine
from storage.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database("mm_migrations")


# SQLite's reflection cannot read an index on an expression (the inbox's day, migration
# 0033): Alembic skips comparing it there, and says so; PostgreSQL compares it.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_upgrade_creates_every_table_and_matches_the_models(fresh_url):
    migrate.upgrade(fresh_url)
    engine = make_engine(fresh_url)
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        assert set(Base.metadata.tables) <= tables
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert differences == []


@pytest.mark.slow
def test_downgrade_and_upgrade_again(fresh_url):
    migrate.upgrade(fresh_url)
    migrate.downgrade(fresh_url, "base")
    engine = make_engine(fresh_url)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrate.upgrade(fresh_url)


def test_moments_keep_their_instant_on_both_databases(sessions):
    """SQLite has no time zones: a Stockholm morning must not come back shifted."""
    from datetime import UTC, datetime

    from storage.db import unit_of_work
    from storage.models import ChatLink
    from tests.support.clock import moment

    asked = moment(datetime(2026, 11, 23).date(), hour=0)  # 00:00 Stockholm = 23:00 UTC
    with unit_of_work(sessions) as session:
        session.add(
            ChatLink(token_hash="x", slack_user_id="U1", created_at=asked, expires_at=asked)
        )
    with unit_of_work(sessions) as session:
        stored = session.get(ChatLink, "x").created_at
    assert stored == asked and stored.tzinfo is not None
    assert stored.astimezone(UTC).hour == 23


def test_a_migration_that_rebuilds_a_table_cannot_leave_the_figures_without_triggers(tmp_path):
    """SQLite drops a table's triggers when a batch migration rebuilds the table: `mm db
    upgrade` puts them back and recounts the figures."""
    from sqlalchemy import text

    from storage import figures

    url = f"sqlite:///{tmp_path / 'rebuilt.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER tr_placement_update"))
        assert figures.missing_triggers(connection) == ["placement_update"]
    migrate.upgrade(url)
    with engine.begin() as connection:
        assert figures.missing_triggers(connection) == []
    engine.dispose()


@pytest.mark.slow
def test_the_casework_migration_keeps_the_figures_right_both_ways(fresh_url, program):
    """0011 on a database with placements, down to main's schema (0013) and up again: the
    kept figures equal a recount at each step, every trigger is there, and the backfills
    (the tripartite meetings, the municipality asked last) read the placements right."""
    from datetime import date

    from sqlalchemy import select, text

    from domain.choices import Outcome, Role
    from services import placements
    from services.program_setup import install_program
    from storage import figures
    from storage.db import session_factory, unit_of_work
    from storage.models import Meeting, Referral
    from tests.support.clock import moment
    from tests.support.world import World

    migrate.upgrade(fresh_url)
    engine = make_engine(fresh_url)
    world = World(session_factory(engine))
    with unit_of_work(world.sessions) as session:
        install_program(session, program, now=moment(date(2026, 1, 1)))
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    running = world.started(investigator, osby, "Osby", date(2026, 3, 2))
    ended = world.started(investigator, osby, "Osby", date(2026, 4, 6))
    world.do(
        placements.end_placement,
        actor=osby,
        referral_id=ended.id,
        ended_on=date(2026, 10, 30),
        outcome=Outcome.WORK,
        now=moment(date(2026, 10, 30)),
    )
    waiting = world.file(investigator, "Kristianstad", date(2026, 11, 20))

    def checked(connection) -> None:
        assert figures.missing_triggers(connection) == []
        with unit_of_work(session_factory(connection)) as session:
            assert figures.differences(session) == []

    migrate.downgrade(fresh_url, "0013")
    with engine.begin() as connection:
        checked(connection)
        assert "meeting" not in inspect(connection).get_table_names()
    migrate.upgrade(fresh_url)
    with engine.begin() as connection:
        checked(connection)
    with unit_of_work(world.sessions) as session:
        meetings = session.execute(select(Meeting.referral_id, Meeting.held_on)).all()
        assert sorted(meetings) == [(running.id, date(2026, 3, 2)), (ended.id, date(2026, 4, 6))]
        asked_last = {
            r: m for r, m in session.execute(select(Referral.id, Referral.current_municipality_id))
        }
        names = dict(session.execute(text("SELECT id, name FROM municipality")).all())
        assert {r: names[m] for r, m in asked_last.items()} == {
            running.id: "Osby",
            ended.id: "Osby",
            waiting.id: "Kristianstad",
        }
    engine.dispose()
