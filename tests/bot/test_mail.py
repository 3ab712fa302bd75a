"""Notices by e-mail, against a real SMTP server on loopback (aiosmtpd): each kind arrives
once, as text and HTML, with the reference code and a link and no personal data; a
temporary failure (4xx) is tried again; a refusal (5xx) is shown to the administrator.
Slack keeps working beside it, as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from datetime import time as clock_time

import pytest
from sqlalchemy import select

from bot.runtime import ChatRuntime
from bot.schedule import run_digests
from digest.settings import DigestSchedule
from domain.choices import Role
from domain.clock import STOCKHOLM, FixedClock
from domain.notices import NoticeKind, NoticeWay
from notices import recipients as notices
from services import referrals
from storage.db import make_engine, session_factory
from storage.models import ChatOutbox, User
from tests.bot.conftest import NOW, OSBY_CHANNEL, make_chat, open_request, personal_data
from tests.support.smtp import SmtpServer
from tests.web.conftest import Visitor

MONDAY = date(2026, 11, 23)
ORGANISATION = "Möjlighetsmodellen Skåne Nordost"
SETTINGS_URL = "https://mm.example/mina-installningar"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mailed(sqlite_sessions, smtp):
    """The bot with Slack and e-mail both on."""
    harness = make_chat(
        sqlite_sessions,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        SMTP_SECURITY="none",
        MAIL_FROM="Möjlighetsmodellen <noreply@mm.example>",
    )
    chat = next(harness)
    try:
        yield chat
    finally:
        next(harness, None)


def choose(chat, actor, **ways: NoticeWay) -> None:
    chat.world.do(
        notices.set_preferences,
        actor=actor,
        choices={NoticeKind(kind): way for kind, way in ways.items()},
    )


def address_of(chat, actor) -> str:
    return chat.world.read(lambda s: s.get(User, actor.user_id).email)


def parts(message) -> dict[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.iter_parts()
    }


def no_personal_data(chat, smtp) -> None:
    everything = "\n".join(
        str(r.message["Subject"]) + "".join(parts(r.message).values()) for r in smtp.received
    ).casefold()
    assert [v for v in personal_data(chat.world.sessions) if v.casefold() in everything] == []


def scheduler(chat, day: date) -> ChatRuntime:
    sessions = session_factory(make_engine(chat.world.sessions.kw["bind"].url))
    clock = FixedClock(datetime.combine(day, clock_time(7, 30), STOCKHOLM))
    return ChatRuntime(chat.runtime.settings, sessions, clock, channels=chat.runtime.channels)


def test_each_kind_of_notice_arrives_once_by_email(mailed, smtp):
    chat = mailed
    world = chat.world
    investigator = world.user(Role.INVESTIGATOR)
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    coordinator = world.user(Role.COORDINATOR)
    choose(chat, investigator, answer=NoticeWay.EMAIL)
    choose(chat, osby, new_request=NoticeWay.BOTH, digest=NoticeWay.EMAIL, late=NoticeWay.EMAIL)
    choose(chat, coordinator, digest=NoticeWay.EMAIL)
    chat.set_channel("Osby", OSBY_CHANNEL)

    late = world.file(investigator, "Osby", date(2026, 11, 10))  # waiting 9 working days
    chat.drain()
    [new] = smtp.received
    assert new.recipients == [address_of(chat, osby)]
    assert new.message["Subject"] == (
        f"Ny förfrågan till Osby: {late.reference_code} – {ORGANISATION}"
    )
    assert new.message["List-Unsubscribe"] == f"<{SETTINGS_URL}>"
    assert new.message["From"] == "Möjlighetsmodellen <noreply@mm.example>"
    text = parts(new.message)
    assert f"Referenskod: {late.reference_code}" in text["text/plain"]
    assert (
        f"Acceptera: https://mm.example/anmalningar/{late.reference_code}#acceptera"
        in (text["text/plain"])
    )
    assert (
        f'<a href="https://mm.example/anmalningar/{late.reference_code}#acceptera">'
        in (text["text/html"])
    )
    assert "Mina inställningar: https://mm.example/mina-installningar" in text["text/plain"]
    assert len(chat.slack.delivered("chat.postMessage")) == 1  # and the card in Slack too

    request_id = world.open_request_id(late.id)
    world.do(
        referrals.accept_request,
        actor=osby,
        request_id=request_id,
        meeting_on=date(2026, 12, 1),
        now=NOW,
    )
    chat.drain()
    answer = smtp.received[-1]
    assert answer.recipients == [address_of(chat, investigator)]
    assert answer.message["Subject"].startswith(
        f"Osby har accepterat förfrågan om {late.reference_code}."
    )

    waiting = world.file(investigator, "Osby", date(2026, 11, 10))
    chat.drain()
    for _run in range(2):  # two runs the same day: each digest and late item once
        runtime = scheduler(chat, MONDAY)
        run_digests(runtime, DigestSchedule(), MONDAY)
        runtime.close()
    chat.drain()
    subjects = sorted((r.recipients[0], str(r.message["Subject"])) for r in smtp.received[2:])
    osby_email, coordinator_email = address_of(chat, osby), address_of(chat, coordinator)
    assert subjects == sorted(
        [
            (osby_email, f"Ny förfrågan till Osby: {waiting.reference_code} – {ORGANISATION}"),
            (osby_email, f"Dagens läge i Osby 23 nov. 2026 – {ORGANISATION}"),
            (coordinator_email, f"Dagens läge 23 nov. 2026 – {ORGANISATION}"),
            (osby_email, f"Försenat: {waiting.reference_code} – {ORGANISATION}"),
        ]
    )
    [late_notice] = [r for r in smtp.received if "Försenat" in r.message["Subject"]]
    assert "utan svar (försenad)" in parts(late_notice.message)["text/plain"]
    assert "⚠️" in parts(late_notice.message)["text/html"]
    no_personal_data(chat, smtp)


def test_a_temporary_failure_is_tried_again_and_a_refusal_goes_to_the_administrator(mailed, smtp):
    chat = mailed
    osby = chat.world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    choose(chat, osby, new_request=NoticeWay.EMAIL)
    smtp.answer_next("451 4.3.0 Try again later")
    investigator = chat.world.user(Role.INVESTIGATOR)
    chat.world.file(investigator, "Osby", date(2026, 11, 20))
    chat.drain()
    [row] = chat.world.read(lambda s: list(s.scalars(select(ChatOutbox))))
    assert (row.transport, row.state, row.last_error) == ("email", "pending", "smtp_unavailable")
    assert smtp.received == []
    chat.runtime.clock.moment = NOW + timedelta(seconds=31)
    assert chat.runtime.sweep() == {"sent": 1}
    assert len(smtp.received) == 1
    assert chat.runtime.sweep() == {}

    smtp.answer_next("550 5.1.1 No such user here")
    chat.world.file(investigator, "Osby", date(2026, 11, 20))
    chat.drain()
    refused = chat.world.read(
        lambda s: s.scalars(select(ChatOutbox).order_by(ChatOutbox.id.desc())).first()
    )
    assert (refused.state, refused.last_error) == ("failed", "smtp_refused")
    admin = Visitor(chat.app, chat.world.user(Role.ADMIN))
    page = admin.get("/leveranser")
    [row] = page.soup.select("tbody tr")
    cells = [" ".join(td.get_text(" ").split()) for td in row.select("td")]
    assert cells[1:5] == [
        "Förfrågningskort",
        f"E-post till {address_of(chat, osby)}",
        "Inte levererat",
        "E-postservern vägrade ta emot meddelandet. Kontrollera e-postadressen och "
        "SMTP-inställningarna.",
    ]
    assert len(smtp.received) == 1


def test_slack_alone_sends_no_email(chat, smtp):
    """Without SMTP settings nothing changes for Slack users, whatever they chose."""
    scene = open_request(chat)
    choose(chat, scene.osby, new_request=NoticeWay.EMAIL)
    assert chat.world.read(lambda s: [r.transport for r in s.scalars(select(ChatOutbox))]) == [
        "slack"
    ]
    assert smtp.received == []
