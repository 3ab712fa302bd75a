"""Mina inställningar: each person chooses how they get their own kinds of notice."""

from __future__ import annotations

from domain.notices import NoticeKind, NoticeWay
from notices.recipients import preferences_of
from services import web_sessions
from storage.db import unit_of_work
from web.user_agents import describe


def test_a_contact_chooses_e_mail_for_new_requests(visit, people, sqlite_world):
    contact = visit(people["osby"])
    page = contact.get("/mina-installningar")
    assert page.status == 200 and page.h1 == "Mina inställningar"
    legends = [" ".join(legend.get_text().split()) for legend in page.soup.select("legend")]
    assert legends == [
        "En ny förfrågan till din kommun",
        "Den dagliga sammanfattningen",
        "Ditt arbete som blivit försenat",
        "Ett rekvisitionsunderlag som väntar på dig, eller har betalats ut",
    ]
    assert page.value("new_request") == "chat"  # chat until chosen otherwise
    done = contact.post(
        "/mina-installningar",
        {"new_request": "email", "digest": "both", "late": "chat", "requisition": "email"},
        follow_redirects=True,
    )
    assert done.notices == ["Dina inställningar har sparats."]
    assert done.value("new_request") == "email" and done.value("digest") == "both"
    chosen = sqlite_world.read(lambda s: preferences_of(s, actor=people["osby"]))
    assert chosen == {
        NoticeKind.NEW_REQUEST: NoticeWay.EMAIL,
        NoticeKind.DIGEST: NoticeWay.BOTH,
        NoticeKind.LATE: NoticeWay.CHAT,
        NoticeKind.REQUISITION: NoticeWay.EMAIL,
    }


def test_a_missing_or_forged_choice_is_refused_and_changes_nothing(visit, people, sqlite_world):
    investigator = visit(people["investigator"])
    page = investigator.post("/mina-installningar", {"answer": "pigeon"})
    assert page.status == 400
    assert page.error("answer") == "Välj ett av alternativen i listan."
    page = investigator.post("/mina-installningar", {})
    assert page.status == 400
    assert page.summary == [("#answer", "Välj hur du vill få det här meddelandet.")]
    chosen = sqlite_world.read(lambda s: preferences_of(s, actor=people["investigator"]))
    assert chosen == {NoticeKind.ANSWER: NoticeWay.CHAT}


def test_roles_without_notices_are_told_so(visit, people):
    page = visit(people["admin"]).get("/mina-installningar")
    assert page.status == 200
    assert "Din roll får inga meddelanden i chatten eller med e-post." in page.text


CHROME_ON_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def test_the_logins_say_browser_and_system_not_the_raw_header(visit, people, app):
    """The table reads "Chrome på Linux", never the User-Agent header it was made from."""
    here = visit(people["osby"])
    now = app.config["CLOCK"].now()
    with unit_of_work(app.extensions["mm.sessions"]) as session:
        web_sessions.create(
            session,
            data={"_user_id": str(people["osby"].user_id), "_fresh": True},
            user_id=people["osby"].user_id,
            logged_in_at=now,
            now=now,
            address="127.0.0.1",
            user_agent=CHROME_ON_LINUX,
            limits=web_sessions.Limits(),
        )
    page = here.get("/mina-installningar")
    browsers = sorted(row.select("td")[3].get_text() for row in page.soup.select("tbody tr"))
    assert browsers == ["Chrome på Linux", "Okänd webbläsare"]  # the other login said "test"
    assert "Mozilla" not in page.text and "AppleWebKit" not in page.text


def test_browsers_and_systems_are_named_as_people_say_them():
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    )
    edge = CHROME_ON_LINUX.replace("X11; Linux x86_64", "Windows NT 10.0; Win64; x64")
    firefox = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0"
    assert describe(CHROME_ON_LINUX) == "Chrome på Linux"
    assert describe(iphone) == "Safari på iOS"
    assert describe(edge + " Edg/131.0.0.0") == "Edge på Windows"
    assert describe(firefox) == "Firefox på macOS"
    assert describe("Mozilla/5.0 (Windows NT 10.0) Gecko") == "Okänd webbläsare på Windows"
    assert describe("curl/8.5.0") == "Okänd webbläsare"
    assert describe(None) == "Okänd webbläsare"
