"""Mina inställningar: each person chooses how they get their own kinds of notice."""

from __future__ import annotations

from domain.notices import NoticeKind, NoticeWay
from notices.recipients import preferences_of


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
