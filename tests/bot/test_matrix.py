"""The bot on a real Matrix homeserver (Synapse, started by the test session): a referral
filed on the web posts a card in Osby's room; `!mm platser` from the contact is answered in
the room; accepting on the web, from the card's link, tells the investigator in a direct
chat; the digest arrives once per room per day however many schedulers run; and a
homeserver restarted mid-run loses and doubles nothing. No personal data in any of it."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time

import pytest
from sqlalchemy import select

from bot.matrix_bot import run as run_matrix_bot
from bot.runtime import ChatRuntime
from bot.schedule import run_digests
from digest.settings import DigestSchedule
from domain.choices import Role
from domain.clock import STOCKHOLM, FixedClock
from services import chat_links
from services.municipalities import find_municipality, set_matrix_room
from storage.db import make_engine, session_factory, unit_of_work
from storage.models import ChatOutbox
from tests.bot.conftest import NOW, SITE, personal_data
from tests.support.clock import moment
from tests.support.synapse import MatrixUser, Synapse, synapse_available
from tests.support.world import World
from tests.web.conftest import Visitor
from transports.delivery import IN_APP, Delivery
from transports.matrix.settings import MatrixSettings
from web import create_app

pytestmark = pytest.mark.skipif(
    not synapse_available(), reason="Synapse is not installed (make test installs it)"
)
_names = itertools.count(1)
MONDAY = date(2026, 11, 23)


@pytest.fixture(scope="session")
def synapse(tmp_path_factory) -> Iterator[Synapse]:
    server = Synapse(tmp_path_factory.mktemp("synapse"))
    server.configure()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_for(check: Callable[[], object], timeout: float = 30, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout}s for {what or check}")


def notices(user: MatrixUser, room: str) -> list[dict]:
    return [m for m in user.messages(room) if m["sender"] != user.user_id]


def bodies(user: MatrixUser, room: str) -> list[str]:
    return [m["content"]["body"] for m in notices(user, room)]


@dataclass
class MatrixScene:
    synapse: Synapse
    app: object
    runtime: ChatRuntime
    world: World
    bot: MatrixUser
    osby: MatrixUser
    investigator: MatrixUser
    coordinator: MatrixUser
    osby_room: str
    coordinator_room: str
    actors: dict
    stop: threading.Event

    def drain(self) -> None:
        assert self.runtime.drain(30)

    def everything_said(self) -> str:
        seen = []
        for user, room in ((self.osby, self.osby_room), (self.coordinator, self.coordinator_room)):
            seen += [json.dumps(m["content"], ensure_ascii=False) for m in user.messages(room)]
        return "\n".join(seen)

    def leaks(self) -> list[str]:
        said = self.everything_said().casefold()
        return [v for v in personal_data(self.world.sessions) if v.casefold() in said]


@pytest.fixture
def matrix(synapse, sqlite_sessions) -> Iterator[MatrixScene]:
    n = next(_names)
    bot = synapse.register(f"mmbot{n}")
    osby = synapse.register(f"osby{n}")
    investigator = synapse.register(f"utredare{n}")
    coordinator = synapse.register(f"samordnare{n}")
    osby_room = osby.create_room(invite=[bot.user_id])
    coordinator_room = coordinator.create_room(invite=[bot.user_id])
    url = sqlite_sessions.kw["bind"].url.render_as_string(hide_password=False)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "matrix-tests",
            "CLOCK": FixedClock(NOW),
            "SITE_URL": SITE,
            "SLACK_BOT_TOKEN": "",
            "SLACK_SIGNING_SECRET": "",
            "SLACK_APP_TOKEN": "",
            "MATRIX_HOMESERVER": synapse.url,
            "MATRIX_USER_ID": bot.user_id,
            "MATRIX_ACCESS_TOKEN": bot.token,
            "MATRIX_DIGEST_ROOM": coordinator_room,
        }
    )
    # The site sends its notices without the chat bot (Slack is off); the Matrix bot, as
    # `mm chat matrix` runs it, builds on the site's delivery runtime.
    assert "mm.chat" not in app.extensions
    delivery: Delivery = app.extensions[IN_APP]
    runtime = ChatRuntime(
        delivery.channels.slack, delivery.sessions, delivery.clock, delivery=delivery
    )
    world = World(app.extensions["mm.sessions"])
    world.do(
        lambda s: set_matrix_room(
            s,
            actor=None,
            municipality_id=find_municipality(s, "Osby").id,
            room=osby_room,
            now=NOW,
        )
    )
    actors = {
        "investigator": world.user(Role.INVESTIGATOR),
        "osby": world.user(Role.MUNICIPALITY_CONTACT, "Osby"),
        "coordinator": world.user(Role.COORDINATOR),
    }
    for name, user in (
        ("investigator", investigator),
        ("osby", osby),
        ("coordinator", coordinator),
    ):
        token = world.do(chat_links.start_link, matrix_user_id=user.user_id, now=NOW)
        world.do(chat_links.confirm_link, actor=actors[name], token=token, now=NOW)
    stop = threading.Event()
    settings = MatrixSettings.load(app.config)
    thread = threading.Thread(
        target=run_matrix_bot, args=(runtime, settings, stop, 300), daemon=True
    )
    thread.start()
    scene = MatrixScene(
        synapse,
        app,
        runtime,
        world,
        bot,
        osby,
        investigator,
        coordinator,
        osby_room,
        coordinator_room,
        actors,
        stop,
    )
    joined = f"/_matrix/client/v3/rooms/{osby_room}/joined_members"
    wait_for(lambda: bot.user_id in osby.call(joined)["joined"], what="the bot in Osby's room")
    try:
        yield scene
        assert scene.leaks() == []
    finally:
        stop.set()
        thread.join(30)
        runtime.close()


@pytest.mark.slow
def test_a_card_a_command_and_an_answer_in_matrix(matrix):
    world = matrix.world
    referral = world.file(matrix.actors["investigator"], "Osby", date(2026, 11, 20))
    code = referral.reference_code
    matrix.drain()
    [card] = wait_for(lambda: notices(matrix.osby, matrix.osby_room), what="the card")
    content = card["content"]
    assert content["msgtype"] == "m.notice"
    assert content["body"].startswith(f"Förfrågan till Osby: {code}\nReferenskod: {code}\n")
    assert "Sjukpenning" not in content["body"]  # social-insurance information stays on the web
    accept = re.search(r'<a href="([^"]+)">Acceptera</a>', content["formatted_body"]).group(1)
    assert accept == f"{SITE}/anmalningar/{code}#acceptera"
    assert f'<a href="{SITE}/anmalningar/{code}#avboj">Avböj</a>' in content["formatted_body"]

    matrix.osby.say(matrix.osby_room, "!mm platser")
    answer = wait_for(
        lambda: [b for b in bodies(matrix.osby, matrix.osby_room) if b.startswith("Lediga")],
        what="the answer to !mm platser",
    )
    assert "Osby: 5 lediga platser (kapacitet 5" in answer[0]
    assert "Totalt: 31 lediga platser." in answer[0]

    # The contact follows the card's link and accepts on the web site.
    contact = Visitor(matrix.app, matrix.actors["osby"])
    page = contact.get(accept.removeprefix(SITE).split("#")[0])
    assert page.status == 200 and page.soup.find(id="acceptera") is not None
    request_id = page.value("request_id")
    done = contact.post(
        f"/anmalningar/{code}/acceptera",
        {
            "request_id": request_id,
            "meeting_on": "2026-12-01",
            "meeting_time": "10:00",  # the web asks when and where the meeting is
            "place": "Osby kommunhus",
        },
    )
    assert done.status in (200, 302)
    matrix.drain()
    [room] = wait_for(matrix.investigator.invites, what="the investigator's direct chat")
    matrix.investigator.join(room)
    [notice] = wait_for(lambda: notices(matrix.investigator, room), what="the answer notice")
    assert notice["content"]["body"].startswith(
        f"Osby har accepterat förfrågan om {code}. Trepartssamtal: 1 dec. 2026."
    )
    edited = wait_for(
        lambda: [
            m
            for m in matrix.osby.messages(matrix.osby_room)
            if (m["content"].get("m.relates_to") or {}).get("rel_type") == "m.replace"
        ],
        what="the card's edit",
    )
    assert "Accepterad av" in edited[0]["content"]["m.new_content"]["body"]
    assert ">Acceptera</a>" not in edited[0]["content"]["m.new_content"]["formatted_body"]


def test_a_question_that_is_not_for_everyone_is_answered_in_a_direct_chat(matrix):
    invite = f"/_matrix/client/v3/rooms/{matrix.osby_room}/invite"
    matrix.osby.call(invite, "POST", {"user_id": matrix.coordinator.user_id})
    matrix.coordinator.join(matrix.osby_room)  # three in the room: not everyone sees budgets
    matrix.coordinator.say(matrix.osby_room, "!mm budget 2026")
    wait_for(
        lambda: (
            "Jag har svarat dig i ett direktmeddelande." in bodies(matrix.osby, matrix.osby_room)
        ),
        what="the note in the room",
    )
    assert not any(b.startswith("Budget") for b in bodies(matrix.osby, matrix.osby_room))
    [room] = wait_for(matrix.coordinator.invites, what="a direct chat")
    matrix.coordinator.join(room)
    [budget] = wait_for(lambda: notices(matrix.coordinator, room), what="the budget")
    assert budget["content"]["body"].startswith("Budget 2026 för ersättning till kommunerna")


def _scheduler(matrix: MatrixScene, day: date) -> ChatRuntime:
    sessions = session_factory(make_engine(matrix.world.sessions.kw["bind"].url))
    clock = FixedClock(datetime.combine(day, clock_time(7, 30), STOCKHOLM))
    return ChatRuntime(matrix.runtime.settings, sessions, clock, channels=matrix.runtime.channels)


def test_the_digest_arrives_once_per_room_per_day_across_two_schedulers(matrix):
    schedule = DigestSchedule.load({"MATRIX_DIGEST_ROOM": matrix.coordinator_room})
    barrier = threading.Barrier(2)
    reports = []

    def scheduler() -> None:
        runtime = _scheduler(matrix, MONDAY)
        try:
            barrier.wait()
            reports.append(run_digests(runtime, schedule, MONDAY))
        finally:
            runtime.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for _again in range(2):  # and a rerun later the same day
        runtime = _scheduler(matrix, MONDAY)
        run_digests(runtime, schedule, MONDAY)
        runtime.close()

    def digests(user: MatrixUser, room: str) -> list[str]:
        return [b for b in bodies(user, room) if b.startswith("Dagens läge")]

    wait_for(lambda: digests(matrix.osby, matrix.osby_room), what="Osby's digest")
    time.sleep(1)
    assert [d.splitlines()[0] for d in digests(matrix.osby, matrix.osby_room)] == [
        "Dagens läge i Osby 23 nov. 2026: Inget nytt sedan förra sammanfattningen, och inget "
        "väntar."
    ]
    assert len(digests(matrix.coordinator, matrix.coordinator_room)) == 1
    assert sorted(len(r.queued) for r in reports) == [0, 2]


def test_a_homeserver_restarted_mid_run_loses_and_doubles_nothing(matrix):
    world = matrix.world
    first = world.file(matrix.actors["investigator"], "Osby", date(2026, 11, 20))
    matrix.drain()
    wait_for(lambda: len(notices(matrix.osby, matrix.osby_room)) == 1, what="the first card")

    # A send whose answer was lost: Synapse has the card, the outbox does not know it.
    with unit_of_work(matrix.world.sessions) as session:
        row = session.scalars(select(ChatOutbox).where(ChatOutbox.transport == "matrix")).one()
        row.state, row.uncertain, row.next_attempt_at = "pending", True, NOW

    matrix.synapse.stop()  # the homeserver goes away
    during = [
        world.file(matrix.actors["investigator"], "Osby", date(2026, 11, 20)) for _ in range(3)
    ]
    matrix.drain()
    waiting = world.read(
        lambda s: [r.state for r in s.scalars(select(ChatOutbox).order_by(ChatOutbox.id))]
    )
    assert waiting == ["pending"] * 4  # the three new cards wait, and the uncertain one
    matrix.synapse.start()  # it comes back (same data, same port)

    matrix.runtime.clock.moment = moment(MONDAY, 12)  # past every back-off
    wait_for(lambda: matrix.runtime.sweep().get("sent"), what="a sweep that sends")
    matrix.drain()
    states = world.read(lambda s: [r.state for r in s.scalars(select(ChatOutbox))])
    assert states == ["sent"] * 4
    matrix.osby.say(matrix.osby_room, "!mm platser")  # the bot's sync loop reconnected
    wait_for(
        lambda: any(b.startswith("Lediga") for b in bodies(matrix.osby, matrix.osby_room)),
        what="an answer after the restart",
        timeout=60,
    )
    cards = [b for b in bodies(matrix.osby, matrix.osby_room) if b.startswith("Förfrågan till")]
    codes = sorted(c.splitlines()[0].rsplit(" ", 1)[-1] for c in cards)
    assert codes == sorted([first.reference_code] + [r.reference_code for r in during])


def test_a_matrix_user_links_with_the_same_one_time_link(matrix):
    stranger = matrix.synapse.register(f"ny{next(_names)}")
    room = stranger.create_room(invite=[matrix.bot.user_id])
    joined = f"/_matrix/client/v3/rooms/{room}/joined_members"
    wait_for(lambda: matrix.bot.user_id in stranger.call(joined)["joined"], what="the bot")
    stranger.say(room, "!mm budget")
    [refusal] = wait_for(lambda: bodies(stranger, room), what="the answer")
    assert refusal == (
        "Jag vet inte vem du är än. Skriv `!mm koppla` så får du en länk som kopplar ditt "
        "Matrix-konto till ditt konto på webbplatsen."
    )
    stranger.say(room, "!mm koppla")
    answer = wait_for(
        lambda: [b for b in bodies(stranger, room) if "/koppla/" in b], what="the link"
    )
    token = re.search(r"https://mm\.example/koppla/([\w-]+)", answer[0]).group(1)
    association = matrix.world.user(Role.ASSOCIATION)
    visitor = Visitor(matrix.app, association)
    assert visitor.post(f"/koppla/{token}").status == 200
    linked = matrix.world.read(lambda s: chat_links.actor_for_matrix_user(s, stranger.user_id))
    assert linked == association
