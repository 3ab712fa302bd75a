"""Personal data encrypted at rest: a copied database file, a backup or a pg_dump names no one,
and the site does not start without the key the data was encrypted with."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from cli.demo_data import load_demo_data
from cli.main import cli
from domain.choices import Role
from domain.personal_identity import display_personal_identity_number
from storage import crypto
from storage.db import make_engine
from storage.models import Participant, ParticipantNameWord, PlacementRequest, Referral
from tests.support.clock import moment


def _demo(world_sessions) -> list[tuple[str, str, str]]:
    """(code, name, personnummer) of every demo participant, read through the key."""
    from storage.db import unit_of_work

    with unit_of_work(world_sessions) as session:
        load_demo_data(session, now=moment(date(2026, 11, 23), hour=6))
    with unit_of_work(world_sessions) as session:
        rows = session.execute(
            select(
                Referral.reference_code, Participant.name, Participant.personal_identity_number
            ).join(Participant, Participant.referral_id == Referral.id)
        ).all()
    assert len(rows) > 10
    return [tuple(r) for r in rows]


def _forms(number: str) -> list[bytes]:
    return [
        number.encode(),
        number[2:].encode(),
        display_personal_identity_number(number).encode(),
    ]


def _hits(blob: bytes, people: list[tuple[str, str, str]]) -> list[str]:
    found = []
    for _code, name, number in people:
        if name.encode() in blob or any(f in blob for f in _forms(number)):
            found.append(name)
    return found


@pytest.mark.slow
def test_no_demo_name_or_personnummer_in_the_database_file_or_its_backup(
    sqlite_demo_sessions, tmp_path
):
    people = _demo(sqlite_demo_sessions)  # loaded already: read
    url = str(sqlite_demo_sessions.kw["bind"].url)
    sqlite_demo_sessions.kw["bind"].dispose()
    path = make_url(url).database
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("VACUUM")
    connection.close()
    blob = Path(path).read_bytes()
    # The grep can find what is there: every reference code is in the file in plain text.
    assert all(code.encode() in blob for code, _n, _p in people)
    assert _hits(blob, people) == []

    backup = tmp_path / "backup.sqlite3"
    result = CliRunner().invoke(cli, ["backup", str(backup)], env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    copied = backup.read_bytes()
    assert people[0][0].encode() in copied
    assert _hits(copied, people) == []


@pytest.mark.postgres
@pytest.mark.slow
def test_no_demo_name_or_personnummer_in_a_pg_dump(postgres_server, program, tmp_path):
    from services.program_setup import install_program
    from storage import migrate
    from storage.db import session_factory, unit_of_work

    url = postgres_server.create_database("mm_at_rest")
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        install_program(session, program, now=moment(date(2026, 1, 1)))
    people = _demo(factory)
    engine.dispose()
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    dump = subprocess.run(
        [str(postgres_server.bindir / "pg_dump"), "--no-owner", plain],
        check=True,
        capture_output=True,
    ).stdout
    assert all(code.encode() in dump for code, _n, _p in people)
    assert _hits(dump, people) == []


def test_every_personal_data_column_is_stored_encrypted(world):
    investigator = world.user(Role.INVESTIGATOR)
    referral = world.file(investigator, "Osby", date(2026, 3, 2))
    engine = world.sessions.kw["bind"]
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT name, personal_identity_number, phone, needs,"
                " personal_identity_number_digest, open_personal_identity_number"
                " FROM participant WHERE referral_id = :id"
            ),
            {"id": referral.id},
        ).one()
    assert all(v.startswith(crypto.PREFIX) for v in row[:2])
    assert row.personal_identity_number_digest == row.open_personal_identity_number
    assert len(row.personal_identity_number_digest) == 64
    # Through the key, the same row reads as typed.
    with world.sessions() as session:
        participant = session.get(Participant, referral.id)
        assert participant is not None and participant.name == referral.participant.name
        assert session.scalars(select(PlacementRequest)).first() is not None


def test_a_value_moved_to_another_column_does_not_open():
    sealed = crypto.encrypt("Anna Andersson", "participant.name")
    assert crypto.decrypt(sealed, "participant.name") == "Anna Andersson"
    with pytest.raises(crypto.DataKeyError):
        crypto.decrypt(sealed, "participant.needs")


@pytest.mark.slow
def test_a_lost_or_wrong_key_is_a_swedish_error_at_start(
    sqlite_demo_sessions, monkeypatch, tmp_path
):
    from web import create_app

    url = str(sqlite_demo_sessions.kw["bind"].url)
    sqlite_demo_sessions.kw["bind"].dispose()

    missing = tmp_path / "elsewhere" / "data_key"
    monkeypatch.delenv(crypto.ENV_KEY)
    monkeypatch.setenv(crypto.ENV_KEY_FILE, str(missing))
    with pytest.raises(RuntimeError) as lost:
        create_app({"DATABASE_URL": url, "TESTING": True})
    assert str(lost.value) == (
        f"Nyckeln till personuppgifterna saknas: {missing} finns inte, men databasen innehåller "
        "krypterade personuppgifter. Lägg tillbaka nyckelfilen från där du förvarar den (inte "
        "bredvid säkerhetskopiorna), eller sätt MM_DATA_KEY, och starta igen."
    )
    assert not missing.exists()  # no new key was made to hide the loss

    other = crypto.Keyring(crypto.new_key(), (crypto.new_key(),)).text()
    monkeypatch.delenv(crypto.ENV_KEY_FILE)
    monkeypatch.setenv(crypto.ENV_KEY, other)
    with pytest.raises(RuntimeError) as wrong:
        create_app({"DATABASE_URL": url, "TESTING": True})
    assert str(wrong.value) == (
        "Nyckeln i MM_DATA_KEY öppnar inte personuppgifterna i databasen. Använd nyckeln som "
        "uppgifterna krypterades med och starta igen."
    )
    result = CliRunner().invoke(cli, ["places"], env={"DATABASE_URL": url})
    assert result.exit_code == 1
    assert "Nyckeln i MM_DATA_KEY öppnar inte personuppgifterna" in result.output


def test_a_new_database_gets_a_private_key_file(tmp_path, monkeypatch):
    from storage import migrate

    key = tmp_path / "instance" / "data_key"
    monkeypatch.delenv(crypto.ENV_KEY)
    monkeypatch.setenv(crypto.ENV_KEY_FILE, str(key))
    migrate.upgrade(f"sqlite:///{tmp_path / 'instance' / 'db.sqlite3'}")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    ring = crypto.parse(key.read_text(), str(key))
    assert len(ring.data) == 1 and ring.index != ring.data[0]
    assert os.environ.get(crypto.ENV_KEY) is None


def test_the_purge_removes_the_name_words_with_the_participant(world):
    from services import purge, referrals

    investigator = world.user(Role.INVESTIGATOR)
    referral = world.file(investigator, "Osby", date(2026, 3, 2))
    assert world.read(lambda s: len(s.scalars(select(ParticipantNameWord)).all())) == 2
    world.do(
        lambda s: referrals.withdraw_referral(
            s,
            actor=investigator,
            referral=s.get(Referral, referral.id),
            now=moment(date(2026, 3, 3)),
        )
    )
    world.do(purge.purge, now=moment(date(2026, 11, 3)))
    assert world.read(lambda s: s.get(Participant, referral.id)) is None
    assert world.read(lambda s: s.scalars(select(ParticipantNameWord)).all()) == []
