"""Who to call: staff set their own phone and title, and the referral's page shows the
investigator to the municipality and the municipality's contacts to the investigator."""

from __future__ import annotations

from datetime import date

from domain.choices import Role
from services import users
from storage.models import User
from tests.web.conftest import squash


def test_a_person_sets_their_own_phone_and_title(visit, people, sqlite_world):
    osby = visit(people["osby"])
    page = osby.get("/mina-installningar/uppgifter")
    assert page.h1 == "Mina uppgifter"
    assert "Roll Kontaktperson, kommun" in page.text and "Kommun Osby" in page.text
    saved = osby.post(
        "/mina-installningar/uppgifter",
        {"phone": "0479-52 80 00", "title": "Arbetsmarknadskonsulent"},
    )
    assert saved.status == 302
    page = osby.get("/mina-installningar/uppgifter")
    assert page.notices == ["Dina kontaktuppgifter är sparade."]
    assert (page.value("phone"), page.value("title")) == (
        "0479-52 80 00",
        "Arbetsmarknadskonsulent",
    )
    wrong = osby.post("/mina-installningar/uppgifter", {"phone": "ring mig", "title": ""})
    assert wrong.status == 400
    assert wrong.summary == [
        ("#phone", "Skriv telefonnumret med siffror, till exempel 044-13 50 00.")
    ]
    stored = sqlite_world.read(lambda s: s.get(User, people["osby"].user_id))
    assert (stored.phone, stored.title) == ("0479-52 80 00", "Arbetsmarknadskonsulent")


def test_the_referral_page_says_who_to_call(visit, people, sqlite_world):
    def set_details(actor, phone, title):
        sqlite_world.do(users.set_contact_details, actor=actor, phone=phone, title=title)

    set_details(people["investigator"], "010-112 34 56", "Utredare")
    set_details(people["osby"], "0479-52 80 00", "Arbetsmarknadskonsulent")
    sqlite_world.user(Role.MUNICIPALITY_CONTACT, "Kristianstad")  # not Osby's
    referral = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    email = {
        key: sqlite_world.read(lambda s, a=actor: s.get(User, a.user_id).email)
        for key, actor in people.items()
    }
    url = f"/anmalningar/{referral.reference_code}"

    def contacts(page):
        section = page.soup.find("section", attrs={"aria-labelledby": "contacts-heading"})
        return [
            [squash(card.h3.get_text())] + [squash(dd.get_text()) for dd in card.select("dd")]
            for card in section.select(".card")
        ]

    seen_by_osby = contacts(visit(people["osby"]).get(url))
    assert seen_by_osby[0] == [
        "Utredare, Försäkringskassan",
        "Test Person, Utredare",
        "010-112 34 56",
        email["investigator"],
    ]
    seen_by_investigator = contacts(visit(people["investigator"]).get(url))
    assert seen_by_investigator[1] == [
        "Kontaktpersoner i Osby",
        "Test Person, Arbetsmarknadskonsulent",
        "0479-52 80 00",
        email["osby"],
    ]  # and not Kristianstad's contacts
