"""Corrections: the municipality corrects a recorded date with a reason, and the placement
ends up exactly as if the right date had been entered the first time (the budget and the
indicators too); the history keeps the original beside the correction. FK corrects the
participant's details until a municipality has accepted."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlalchemy import select

from domain.choices import Outcome, Role
from domain.corrections import CorrectionReason, RecordedDate
from domain.errors import NotAllowed, NotFound, RuleViolation
from domain.event_texts import describe
from domain.participants import ParticipantDetails
from locales import render
from services import placements, referrals, reports
from services.history import history_of
from storage import migrate
from storage.db import make_engine, session_factory, unit_of_work
from storage.models import Extension, Municipality, Referral, personal_identity_digest
from tests.support.clock import moment
from tests.support.world import World

TODAY = date(2026, 11, 23)


@pytest.fixture
def people(world):
    return {
        "investigator": world.user(Role.INVESTIGATOR),
        "osby": world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "bromolla": world.user(Role.MUNICIPALITY_CONTACT, "Bromölla"),
    }


@pytest.fixture
def twin(request, database_url, program, tmp_path):
    """A second, empty database of the same kind: the same story told right the first time."""
    from services.program_setup import install_program

    if database_url.startswith("sqlite"):
        path = tmp_path / "twin.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_server").create_database("mm_twin")
        migrate.upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        install_program(session, program, now=moment(date(2026, 1, 1)))
    yield World(sessions)
    engine.dispose()


def correct(world, actor, referral, field, corrected_on, reason=CorrectionReason.TYPING_ERROR):
    return world.do(
        placements.correct_date,
        actor=actor,
        referral_id=referral.id,
        field=field,
        corrected_on=corrected_on,
        reason=reason,
        now=moment(TODAY),
    )


def extend(world, actor, referral, new_end, on):
    world.do(
        placements.extend_placement,
        actor=actor,
        referral_id=referral.id,
        new_end=new_end,
        now=moment(on),
    )


def end(world, actor, referral, ended_on):
    world.do(
        placements.end_placement,
        actor=actor,
        referral_id=referral.id,
        ended_on=ended_on,
        outcome=Outcome.WORK,
        now=moment(ended_on),
    )


def figures(world):
    def read(session):
        found = []
        for today in (date(2026, 10, 1), TODAY, date(2027, 6, 30)):
            for year in (2026, 2027):
                b = reports.year_budget(session, year=year, today=today)
                found.append((today, year, b.committed, b.accrued, b.committed_days))
        found += [(i.goal, i.achieved, i.counted) for i in reports.indicators(session, today=TODAY)]
        return found

    return world.read(read)


def story(world, starts, *, extended_to, ended_on):
    """Three placements: a plain one, an extended one, and one that has ended."""
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    plain, extended, ended = (world.started(investigator, osby, "Osby", s) for s in starts)
    extend(world, osby, extended, extended_to, date(2026, 8, 1))
    end(world, osby, ended, ended_on)
    return osby, plain, extended, ended


def test_a_corrected_start_moves_the_budget_as_if_it_was_right_from_the_start(world, twin):
    osby, plain, extended, ended = story(
        world,
        (date(2026, 9, 7), date(2026, 3, 2), date(2026, 4, 6)),
        extended_to=date(2027, 1, 15),
        ended_on=date(2026, 10, 30),
    )
    before = figures(world)
    correct(world, osby, plain, RecordedDate.STARTED, date(2026, 9, 21))
    correct(world, osby, extended, RecordedDate.STARTED, date(2026, 3, 9))
    correct(world, osby, ended, RecordedDate.ENDED, date(2026, 10, 16))
    story(
        twin,
        (date(2026, 9, 21), date(2026, 3, 9), date(2026, 4, 6)),
        extended_to=date(2027, 1, 15),
        ended_on=date(2026, 10, 16),
    )
    after = figures(world)
    assert after == figures(twin)
    assert after != before  # the corrections did move the figures
    moved = world.read(lambda s: s.get(Referral, plain.id).placement)
    assert (moved.started_on, moved.planned_end_on) == (date(2026, 9, 21), date(2027, 3, 20))
    kept = world.read(lambda s: s.get(Referral, extended.id).placement)
    assert kept.planned_end_on == date(2027, 1, 15)  # the extension decided stays


def sentences(world, referral):
    def read(session):
        names = {m.id: m.name for m in session.scalars(select(Municipality))}
        return [render(describe(e, names)) for e in history_of(session, referral.id)]

    return world.read(read)


def test_the_history_keeps_the_original_beside_the_correction(world, people):
    running = world.started(people["investigator"], people["osby"], "Osby", date(2026, 10, 5))
    world.do(
        placements.record_assessment_plan,
        actor=people["osby"],
        referral_id=running.id,
        done_on=date(2026, 10, 20),
        now=moment(date(2026, 10, 20)),
    )
    correct(
        world,
        people["osby"],
        running,
        RecordedDate.ASSESSMENT_PLAN,
        date(2026, 10, 19),
        CorrectionReason.LATE_INFORMATION,
    )
    said = sentences(world, running)
    assert said[-2:] == [
        "Kartläggning och individuell planering klar 20 okt. 2026.",
        "Datum för kartläggning och individuell planering rättades från 20 okt. 2026 till "
        "19 okt. 2026. Skäl: Rätt datum kom fram i efterhand.",
    ]
    stored = world.read(lambda s: s.get(Referral, running.id).placement.assessment_plan_on)
    assert stored == date(2026, 10, 19)


@pytest.mark.parametrize(
    ("field", "corrected_on", "message"),
    [
        (RecordedDate.STARTED, date(2026, 10, 5), "Datumet är redan 5 okt. 2026. Ange rätt datum."),
        (
            RecordedDate.STARTED,
            date(2026, 10, 21),
            "Starten kan inte ligga efter ett annat registrerat datum: Datum för kartläggning och "
            "individuell planering, 20 okt. 2026. Rätta det datumet först, om även det är fel.",
        ),
        (RecordedDate.ASSESSMENT_PLAN, date(2026, 11, 24), "Datumet kan inte ligga i framtiden."),
        (
            RecordedDate.ASSESSMENT_PLAN,
            date(2026, 10, 1),
            "Datumet kan inte vara före trepartssamtalet den 5 okt. 2026.",
        ),
        (
            RecordedDate.EXTENSION,
            date(2027, 10, 5),
            "En träningsplats kan pågå högst 12 månader totalt: senast möjliga avslut är "
            "4 okt. 2027.",
        ),
        (
            RecordedDate.WORKPLACE_TRAINING,
            date(2026, 11, 2),
            "Bara ett datum som har registrerats kan rättas.",
        ),
    ],
)
def test_a_correction_that_does_not_fit_is_refused(world, people, field, corrected_on, message):
    running = world.started(people["investigator"], people["osby"], "Osby", date(2026, 10, 5))
    world.do(
        placements.record_assessment_plan,
        actor=people["osby"],
        referral_id=running.id,
        done_on=date(2026, 10, 20),
        now=moment(date(2026, 10, 20)),
    )
    extend(world, people["osby"], running, date(2027, 6, 1), date(2026, 11, 2))
    before = world.read(lambda s: s.get(Referral, running.id).placement.planned_end_on)
    with pytest.raises(RuleViolation) as refused:
        correct(world, people["osby"], running, field, corrected_on)
    assert render(refused.value.text) == message
    assert world.read(lambda s: s.get(Referral, running.id).placement.planned_end_on) == before


def test_a_corrected_extension_is_the_extension_decided(world, people):
    running = world.started(people["investigator"], people["osby"], "Osby", date(2026, 10, 5))
    extend(world, people["osby"], running, date(2027, 6, 1), date(2026, 11, 2))
    correct(world, people["osby"], running, RecordedDate.EXTENSION, date(2027, 7, 1))
    stored = world.read(
        lambda s: [(e.previous_end_on, e.new_end_on) for e in s.scalars(select(Extension))]
    )
    assert stored == [(date(2027, 4, 4), date(2027, 7, 1))]


def test_only_the_running_municipality_corrects_and_only_once_started(world, people):
    running = world.started(people["investigator"], people["osby"], "Osby", date(2026, 10, 5))
    with pytest.raises(NotAllowed):
        correct(world, people["bromolla"], running, RecordedDate.STARTED, date(2026, 10, 6))
    with pytest.raises(NotAllowed):
        correct(world, people["investigator"], running, RecordedDate.STARTED, date(2026, 10, 6))
    waiting = world.file(people["investigator"], "Osby", date(2026, 11, 20))
    with pytest.raises(NotFound):  # no placement yet
        correct(world, people["osby"], waiting, RecordedDate.STARTED, date(2026, 10, 6))


def test_fk_corrects_the_participant_until_a_municipality_accepts(world, people):
    referral = world.file(people["investigator"], "Osby", date(2026, 11, 20))

    def correct_participant(**details):
        current = world.read(lambda s: s.get(Referral, referral.id).participant)
        new = ParticipantDetails(
            name=details.get("name", current.name),
            personal_identity_number=details.get("pin", current.personal_identity_number),
            phone=details.get("phone", current.phone),
            needs=details.get("needs", current.needs),
        )
        return world.do(
            lambda s: referrals.correct_participant(
                s,
                actor=people["investigator"],
                referral=s.get(Referral, referral.id),
                participant=new,
                now=moment(TODAY),
            )
        )

    assert correct_participant(phone="070-174 06 77", needs="Vill pröva lager. Halvtid.") == [
        "phone",
        "needs",
    ]
    assert sentences(world, referral)[-1] == (
        "Deltagarens uppgifter rättades: Telefon, Vad deltagaren behöver och vill."
    )
    with pytest.raises(RuleViolation) as same:
        correct_participant()
    assert render(same.value.text) == "Inget ändrades: uppgifterna är desamma som förut."
    other = world.file(people["investigator"], "Kristianstad", date(2026, 11, 20))
    taken = world.read(lambda s: s.get(Referral, other.id).participant.personal_identity_number)
    with pytest.raises(RuleViolation) as duplicate:
        correct_participant(pin=taken)
    assert render(duplicate.value.text).startswith(
        f"Personen har redan en öppen anmälan, {other.reference_code}."
    )
    correct_participant(pin="19900118-9811")
    assert world.read(
        lambda s: s.get(Referral, referral.id).participant.open_personal_identity_number
    ) == personal_identity_digest("199001189811")  # the open mark holds the keyed hash
    world.do(
        referrals.accept_request,
        actor=people["osby"],
        request_id=world.open_request_id(referral.id),
        meeting_on=date(2026, 11, 30),
        now=moment(TODAY),
    )
    with pytest.raises(RuleViolation) as late:
        correct_participant(phone="070-174 06 78")
    assert render(late.value.text) == (
        "Deltagarens uppgifter kan rättas tills en kommun har accepterat; därefter får du be "
        "kommunen."
    )
