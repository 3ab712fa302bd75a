"""The daily digest in chat, with a fixed clock: one message per channel per working day,
"inget nytt" on a quiet day, nothing on a public holiday, within Block Kit's limits at any
size, and exactly once however many schedulers run. (The conftest also scans everything sent
for personal data and broken blocks after each test.)"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.runtime import ChatRuntime
from bot.schedule import send_digests
from digest.plan import digest_key, plan
from digest.settings import DigestSchedule, ScheduleSettingsError
from digest.text import render
from domain.availability import MunicipalityPlaces
from domain.choices import BenefitType, Role
from domain.clock import STOCKHOLM, FixedClock
from domain.deadlines import DeadlineSettings, Slip
from domain.digest import Digest, LateItem, WaitingRequest
from domain.lifecycle import ReferralStatus
from locales import render as render_text
from services import placements
from services.municipalities import set_capacity
from services.users import add_user
from storage.db import make_engine, session_factory, unit_of_work
from storage.models import Municipality, PlacementRequest, Referral
from tests.support.blockkit import problems_in_payload
from tests.support.clock import moment
from transports.slack.blocks import MAX_MESSAGE_BLOCKS
from transports.slack.settings import ChatSettings
from transports.slack.text import to_plain

MONDAY, TUESDAY, CHRISTMAS = date(2026, 11, 23), date(2026, 11, 24), date(2026, 12, 25)
COORDINATOR_CHANNEL, OSBY_CHANNEL = "C0SAMORD1", "C0123OSBY"
SCHEDULE = DigestSchedule(channel=COORDINATOR_CHANNEL)


@contextmanager
def scheduler_on(chat, day: date) -> Iterator[ChatRuntime]:
    """A scheduler process of its own: its own connections, its clock at 07:30 on `day`."""
    sessions = session_factory(make_engine(chat.world.sessions.kw["bind"].url))
    clock = FixedClock(datetime.combine(day, time(7, 30), STOCKHOLM))
    runtime = ChatRuntime(chat.runtime.settings, sessions, clock)
    try:
        yield runtime
    finally:
        runtime.close()


def send(chat, day: date, schedule: DigestSchedule = SCHEDULE) -> list[str]:
    with scheduler_on(chat, day) as runtime:
        return send_digests(runtime, schedule, day)


def digests(chat, channel: str) -> list[str]:
    return [
        to_plain(call["blocks"], call["text"])
        for call in chat.slack.sent("chat.postMessage")
        if call["channel"] == channel and call["text"].startswith("Dagens läge")
    ]


def test_a_normal_monday_over_the_demo_data(demo_chat):
    demo_chat.set_channel("Osby", OSBY_CHANNEL)
    assert sorted(send(demo_chat, MONDAY)) == sorted([COORDINATOR_CHANNEL, OSBY_CHANNEL])
    [coordinator] = digests(demo_chat, COORDINATOR_CHANNEL)
    assert coordinator.startswith("Dagens läge 23 nov. 2026\n")
    assert "Osby: 1 ledig plats (kapacitet 5, startade 3, accepterade men inte startade 1)" in (
        coordinator
    )
    assert "Totalt: 12 lediga platser." in coordinator
    assert "Budgeten för 2026 räcker till ytterligare 17,1 helårsplatser." in coordinator
    assert "5 förfrågningar väntar på svar" in coordinator
    assert (
        ":warning: MM-2026-0035 till Osby, tillfrågad 15 nov. 2026: 6 arbetsdagar utan svar "
        "(försenad)" in coordinator
    )
    assert "MM-2026-0033 till Bromölla, tillfrågad 20 nov. 2026: 1 arbetsdag utan svar\n" in (
        coordinator
    )
    assert "25 nov. 2026: MM-2026-0027 i Osby" in coordinator
    assert "9 dec. 2026" not in coordinator  # the meeting 16 days ahead is not listed
    [osby] = digests(demo_chat, OSBY_CHANNEL)
    assert osby.startswith("Dagens läge i Osby 23 nov. 2026")
    assert "Bromölla" not in osby and "Kristianstad" not in osby
    assert "MM-2026-0035" in osby and "MM-2026-0034" not in osby
    assert "https://mm.example/forfragningar" in osby
    # Requisitions: the demo's May–June bases wait for attestation; July–October are drafts.
    assert "Rekvisitionsunderlag som väntar på attest\nBromölla: maj–juni 2026\n" in coordinator
    assert "Avslutade perioder som inte är inskickade\n" in coordinator
    assert "Osby: juli–augusti 2026\nOsby: september–oktober 2026" in coordinator
    assert (
        "Era avslutade perioder som inte är inskickade\njuli–augusti 2026\n"
        "september–oktober 2026" in osby
    )
    assert "väntar på attest" not in osby


def test_the_meetings_heading_follows_digest_meetings_within(demo_chat):
    schedule = DigestSchedule.load(
        {"SLACK_DIGEST_CHANNEL": COORDINATOR_CHANNEL, "DIGEST_MEETINGS_WITHIN": "3"}
    )
    send(demo_chat, MONDAY, schedule)
    [coordinator] = digests(demo_chat, COORDINATOR_CHANNEL)
    assert "Trepartssamtal de kommande 3 arbetsdagarna" in coordinator
    assert "fem" not in coordinator
    assert "25 nov. 2026: MM-2026-0027 i Osby" in coordinator  # two working days ahead


def test_a_day_with_late_milestones(chat):
    world = chat.world
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    no_plan = world.started(investigator, osby, "Osby", date(2026, 10, 19))
    no_training = world.started(investigator, osby, "Osby", date(2026, 9, 7))
    world.do(
        placements.record_assessment_plan,
        actor=osby,
        referral_id=no_training.id,
        done_on=date(2026, 9, 20),
        now=moment(date(2026, 9, 21)),
    )
    send(chat, MONDAY)
    [text] = digests(chat, COORDINATOR_CHANNEL)
    assert "Efter tidplanen" in text
    assert (
        f"{no_plan.reference_code} i Osby: Kartläggning och planering försenad (skulle vara "
        "klar 16 nov. 2026)" in text
    )
    assert (
        f"{no_training.reference_code} i Osby: Arbetsplatsförlagd träning inte påbörjad "
        "(skulle ha börjat 16 nov. 2026)" in text
    )


def test_nothing_is_sent_on_a_public_holiday(demo_chat):
    assert send(demo_chat, CHRISTMAS) == []
    assert demo_chat.slack.sent("demo_chat.postMessage") == []


def test_a_quiet_day_says_inget_nytt_in_one_line(chat):
    assert send(chat, MONDAY) == [COORDINATOR_CHANNEL]  # the first digest of the channel
    assert send(chat, TUESDAY) == [COORDINATOR_CHANNEL]
    posted = chat.slack.sent("chat.postMessage")
    assert len(posted) == 2 and len(posted[1]["blocks"]) == 1
    assert to_plain(posted[1]["blocks"]) == (
        "Dagens läge 24 nov. 2026: Inget nytt sedan förra sammanfattningen, och inget väntar."
    )


def test_a_change_since_yesterday_is_not_a_quiet_day(chat):
    send(chat, MONDAY)
    osby = chat.world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    chat.world.do(
        set_capacity,
        actor=osby,
        municipality_id=chat.world.municipality("Osby"),
        capacity=7,
        now=moment(MONDAY, 15),
    )
    send(chat, TUESDAY)
    tuesday = digests(chat, COORDINATOR_CHANNEL)[-1]
    assert "Inget nytt" not in tuesday
    assert "Osby: 7 lediga platser" in tuesday


def test_sending_again_the_same_day_posts_nothing_more(chat):
    chat.set_channel("Osby", OSBY_CHANNEL)
    assert len(send(chat, MONDAY)) == 2
    assert send(chat, MONDAY) == []
    assert len(chat.slack.sent("chat.postMessage")) == 2


def test_a_failed_send_is_retried_not_duplicated(chat):
    chat.slack.fail_next("chat.postMessage", "ratelimited")
    with scheduler_on(chat, MONDAY) as runtime:
        send_digests(runtime, SCHEDULE, MONDAY)
        assert len(chat.slack.sent("chat.postMessage")) == 1  # refused by Slack
        assert runtime.sweep() == {}  # not due again yet
        runtime.clock = FixedClock(datetime.combine(MONDAY, time(8, 0), STOCKHOLM))
        assert runtime.sweep() == {"sent": 1}
        assert runtime.sweep() == {}
        assert send_digests(runtime, SCHEDULE, MONDAY) == []
    assert len(chat.slack.sent("chat.postMessage")) == 2  # the refused try and the post


@pytest.mark.slow
def test_a_digest_with_290_municipalities_and_5000_open_items_stays_within_limits(chat):
    with unit_of_work(chat.world.sessions) as session:
        _many_municipalities_and_requests(session, municipalities=290, requests=5000)
        planned = plan(
            session,
            today=MONDAY,
            now=moment(MONDAY, 7),
            settings=chat.runtime.settings,
            schedule=SCHEDULE,
        )
    coordinator = planned[0].reply.message()
    assert problems_in_payload("chat.postMessage", coordinator) == []
    assert len(coordinator["blocks"]) <= MAX_MESSAGE_BLOCKS
    text = to_plain(coordinator["blocks"])
    assert "5000 förfrågningar väntar på svar" in text
    assert "…och 4985 till. Se alla på webbplatsen. (https://mm.example/oversikt)" in text
    assert "…och 279 till." in text  # 294 municipalities, 15 shown
    send(chat, MONDAY)  # and Slack (the stand-in, which checks the limits) accepts it
    assert len(digests(chat, COORDINATOR_CHANNEL)) == 1


def test_rendering_caps_every_list():
    late = tuple(LateItem(f"MM-2026-{n:04d}", "Osby", Slip.ENDING, MONDAY) for n in range(900))
    waiting = tuple(WaitingRequest(f"MM-2026-{n:04d}", "Osby", MONDAY, 3, True) for n in range(900))
    places = tuple(MunicipalityPlaces(n, f"Kommun {n}", 3, 1, 0) for n in range(900))
    digest = Digest(MONDAY, None, DeadlineSettings(), places, None, waiting, (), late, 2027, 5)
    message = render(digest, ChatSettings(site_url="https://mm.example"), title="T").message()
    assert problems_in_payload("chat.postMessage", message) == []


ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@ON_POSTGRESQL
def test_several_schedulers_at_once_post_once_per_channel(chat_on_both):
    chat = chat_on_both
    chat.set_channel("Osby", OSBY_CHANNEL)
    chat.set_channel("Bromölla", "C0123BROM")
    barrier = threading.Barrier(6)
    queued: list[list[str]] = []

    def scheduler() -> None:
        with scheduler_on(chat, MONDAY) as runtime:
            barrier.wait()
            queued.append(send_digests(runtime, SCHEDULE, MONDAY))

    threads = [threading.Thread(target=scheduler) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = sorted([COORDINATOR_CHANNEL, OSBY_CHANNEL, "C0123BROM"])
    assert sorted(channel for q in queued for channel in q) == every
    assert sorted(c["channel"] for c in chat.slack.sent("chat.postMessage")) == every


@ON_POSTGRESQL
def test_several_cron_processes_post_once_per_channel(chat_on_both, database_url):
    chat = chat_on_both
    chat.set_channel("Osby", OSBY_CHANNEL)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": chat.runtime.settings.api_url,
        "SITE_URL": "https://mm.example",
        "SLACK_DIGEST_CHANNEL": COORDINATOR_CHANNEL,
    }
    mm = str(Path(sys.executable).parent / "mm")
    runs = [
        subprocess.Popen(
            [mm, "digest", "send", "--date", "2026-11-23"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    assert "Traceback" not in "".join(out + err for out, err in outputs)
    channels = [c["channel"] for c in chat.slack.sent("chat.postMessage")]
    assert sorted(channels) == sorted([COORDINATOR_CHANNEL, OSBY_CHANNEL])


@pytest.mark.slow
def test_mm_digest_on_the_command_line(chat, tmp_path):
    url = chat.world.sessions.kw["bind"].url.render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "SLACK_DIGEST_CHANNEL": COORDINATOR_CHANNEL}
    env.pop("SLACK_BOT_TOKEN", None)
    mm = str(Path(sys.executable).parent / "mm")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([mm, *args], env=env, capture_output=True, text=True, timeout=60)

    dry = run("digest", "--dry-run", "--date", "2026-11-23")
    assert dry.returncode == 0 and "── samordnaren (C0SAMORD1) ──" in dry.stdout
    assert "── Osby (ingen kanal vald) ──" in dry.stdout
    holiday = run("digest", "send", "--date", "2026-12-25")
    assert (
        holiday.stdout.strip() == "25 dec. 2026 är ingen arbetsdag: ingen sammanfattning skickas."
    )
    off = run("digest", "send", "--date", "2026-11-23")
    assert off.returncode == 1 and "Chatten är avstängd" in off.stderr
    env["DIGEST_TIME"] = "7.30"
    bad = run("digest", "--dry-run")
    assert "DIGEST_TIME måste vara ett klockslag skrivet TT:MM, inte 7.30." in bad.stderr
    assert chat.slack.sent("chat.postMessage") == []


def test_the_schedule_is_07_30_stockholm_on_weekdays_by_default():
    schedule = DigestSchedule.load({})
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=STOCKHOLM)
    assert schedule.trigger().get_next_fire_time(None, friday_evening) == datetime(
        2026, 11, 30, 7, 30, tzinfo=STOCKHOLM
    )
    custom = DigestSchedule.load({"DIGEST_TIME": "8:15", "DIGEST_DAYS": "mon,wed"})
    assert custom.trigger().get_next_fire_time(None, friday_evening).isoformat() == (
        "2026-11-30T08:15:00+01:00"
    )
    with pytest.raises(ScheduleSettingsError) as caught:
        DigestSchedule.load({"DIGEST_DAYS": "every day"})
    assert render_text(caught.value.text) == (
        "DIGEST_DAYS måste vara veckodagar som mon-fri eller mon,wed,fri, inte every day."
    )


def test_the_digest_key_is_the_claim_on_the_day():
    assert digest_key("C0123OSBY", MONDAY) == "digest:C0123OSBY:2026-11-23"


def _many_municipalities_and_requests(session, *, municipalities: int, requests: int) -> None:
    session.execute(
        insert(Municipality),
        [
            {"name": f"Kommun {n:03d}", "code": f"{3000 + n}", "capacity": 2, "offer": ""}
            for n in range(municipalities)
        ],
    )
    ids = list(session.scalars(select(Municipality.id)))
    user = add_user(
        session, email="bulk@test.example", name="Bulk", role=Role.INVESTIGATOR, now=moment(MONDAY)
    )
    asked = moment(date(2026, 11, 10))
    session.execute(
        insert(Referral),
        [
            {
                "id": n + 1,
                "reference_code": f"MM-2026-{n + 1:04d}",
                "investigator_id": user.id,
                "status": ReferralStatus.REQUESTED,
                "benefit_type": BenefitType.SICKNESS_BENEFIT,
                "consent_given": True,
                "consent_on": date(2026, 11, 10),
                "created_at": asked,
            }
            for n in range(requests)
        ],
    )
    session.execute(
        insert(PlacementRequest),
        [
            {
                "referral_id": n + 1,
                "municipality_id": ids[n % len(ids)],
                "asked_at": asked,
                "asked_by_id": user.id,
                "decline_comment": "",
            }
            for n in range(requests)
        ],
    )
