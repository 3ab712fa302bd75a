"""Consent withdrawn, the register extract, and data at rest (file permissions, backups)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from domain.access import can_see_personal_data
from domain.choices import Role
from domain.errors import NotAllowed, RuleViolation
from domain.lifecycle import ReferralStatus, RequestAnswer
from locales import render
from services import audit, referrals
from services.referrals import facts_of
from services.register_extract import make_extract
from storage.db import make_engine
from storage.models import AuditEntry, Referral
from tests.support.clock import moment
from tests.support.world import VALID_NUMBERS
from web import create_app

DAY = date(2026, 11, 23)
MM = Path(sys.executable).parent / "mm"


def test_withdrawn_consent_closes_the_request_and_the_municipality_sees_no_personal_data(world):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    referral = world.file(investigator, "Osby", date(2026, 11, 20))

    def withdraw(on):
        return world.read(
            lambda s: referrals.withdraw_consent(
                s,
                actor=investigator,
                referral=s.get(Referral, referral.id),
                withdrawn_on=on,
                now=moment(DAY),
            )
        )

    with pytest.raises(RuleViolation) as early:
        withdraw(date(2026, 11, 1))
    assert render(early.value.text) == (
        "Återkallelsen kan inte vara före samtycket lämnades (20 nov. 2026)."
    )
    withdraw(date(2026, 11, 22))

    def state(session):
        r = session.get(Referral, referral.id)
        return (
            r.status,
            r.requests[0].answer,
            r.consent_withdrawn_on,
            can_see_personal_data(osby, facts_of(r)),
            can_see_personal_data(investigator, facts_of(r)),
        )

    assert world.read(state) == (
        ReferralStatus.WITHDRAWN,
        RequestAnswer.WITHDRAWN,
        date(2026, 11, 22),
        False,
        True,
    )
    with pytest.raises(RuleViolation):
        withdraw(date(2026, 11, 22))


def test_consent_withdrawn_during_a_placement_hides_the_personal_data_from_the_municipality(
    world,
):
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    started = world.started(investigator, osby, "Osby", date(2026, 11, 2))
    world.read(
        lambda s: referrals.withdraw_consent(
            s,
            actor=investigator,
            referral=s.get(Referral, started.id),
            withdrawn_on=DAY,
            now=moment(DAY),
        )
    )
    seen = world.read(
        lambda s: audit.personal_data_for(
            s, actor=osby, referral=s.get(Referral, started.id), now=moment(DAY), address=""
        )
    )
    assert seen is None
    status = world.read(lambda s: s.get(Referral, started.id).status)
    assert status is ReferralStatus.STARTED  # the placement itself runs on


def test_a_register_extract_holds_that_persons_data_and_nobody_elses(world):
    investigator = world.user(Role.INVESTIGATOR)
    coordinator = world.user(Role.COORDINATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    from domain.choices import Outcome
    from domain.participants import ParticipantDetails
    from services import placements

    first = world.started(investigator, osby, "Osby", date(2026, 10, 5))
    # One open referral per person: the first has ended when she is referred again.
    world.do(
        placements.end_placement,
        actor=osby,
        referral_id=first.id,
        ended_on=date(2026, 11, 13),
        outcome=Outcome.DROPOUT,
        now=moment(date(2026, 11, 13)),
    )
    anna = ParticipantDetails(name="Anna Andersson", personal_identity_number=VALID_NUMBERS[0])
    second = world.file(investigator, "Kristianstad", date(2026, 11, 20), participant=anna)

    stranger = ParticipantDetails(
        name="Greta Främling", personal_identity_number=VALID_NUMBERS[3], needs="Annat."
    )
    other = world.file(investigator, "Osby", date(2026, 11, 20), participant=stranger)
    world.read(
        lambda s: audit.personal_data_for(
            s, actor=osby, referral=s.get(Referral, first.id), now=moment(DAY), address="10.0.0.5"
        )
    )

    def extract(number):
        def run(session):
            made = make_extract(
                session,
                actor=coordinator,
                personal_identity_number=number,
                now=moment(DAY, 14),
                address="10.0.0.9",
            )
            return (
                [h.referral.reference_code for h in made.referrals],
                {h.participant.name for h in made.referrals},
                [[(v.who, v.municipality) for v in h.viewings] for h in made.referrals],
                [len(h.history) for h in made.referrals],
            )

        return world.read(run)

    codes, names, viewings, histories = extract("198109239809")
    assert codes == [first.reference_code, second.reference_code]
    assert names == {"Anna Andersson"} and other.reference_code not in codes
    assert viewings == [[("Test Person", "Osby")], []]
    assert all(n >= 2 for n in histories)
    logged = world.read(
        lambda s: [
            (e.referral_id, e.action, e.address)
            for e in s.scalars(select(AuditEntry).where(AuditEntry.user_id == coordinator.user_id))
        ]
    )
    assert logged == [
        (first.id, "register_extract", "10.0.0.9"),
        (second.id, "register_extract", "10.0.0.9"),
    ]
    assert extract("19900118-9811") == ([], set(), [], [])
    with pytest.raises(NotAllowed):
        world.read(
            lambda s: make_extract(
                s,
                actor=osby,
                personal_identity_number="198109239809",
                now=moment(DAY),
                address="",
            )
        )


def test_a_new_sqlite_database_is_private_and_an_open_one_is_refused(tmp_path):
    folder = tmp_path / "instance"
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    make_engine(url).dispose()
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct((folder / "db.sqlite3").stat().st_mode & 0o777) == "0o600"
    create_app({"DATABASE_URL": url, "SECRET_KEY": "x"})  # starts
    os.chmod(folder / "db.sqlite3", 0o644)
    with pytest.raises(RuntimeError) as refused:
        create_app({"DATABASE_URL": url, "SECRET_KEY": "x"})
    assert str(refused.value) == (
        f"Databasfilen {folder / 'db.sqlite3'} kan läsas av andra användare på den här datorn. "
        f"Gör den privat för tjänstens användare och starta igen: chmod 600 {folder / 'db.sqlite3'}"
    )


@pytest.mark.slow
def test_mm_backup_copies_the_sqlite_database_while_it_is_in_use(tmp_path, sqlite_template):
    database = tmp_path / "live.sqlite3"
    shutil.copy(sqlite_template, database)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run([str(MM), "program", "load"], env=env, check=True, capture_output=True)
    held = sqlite3.connect(database)  # another connection in use meanwhile
    try:
        done = subprocess.run(
            [str(MM), "backup", str(tmp_path / "copy.sqlite3")],
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        held.close()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Databasen har kopierats till {tmp_path / 'copy.sqlite3'}."
    assert oct((tmp_path / "copy.sqlite3").stat().st_mode & 0o777) == "0o600"
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("SELECT name FROM program").fetchone() == (
            "Möjlighetsmodellen Skåne Nordost",
        )
    again = subprocess.run(
        [str(MM), "backup", str(tmp_path / "copy.sqlite3")], env=env, capture_output=True, text=True
    )
    assert again.returncode == 1 and "finns redan; välj en ny fil." in again.stderr
    postgres = subprocess.run(
        [str(MM), "backup", str(tmp_path / "pg.dump")],
        env={**os.environ, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
        capture_output=True,
        text=True,
    )
    assert postgres.returncode == 1 and "För PostgreSQL används pg_dump" in postgres.stderr
