"""Ny anmälan: success, and every kind of bad input gets Swedish text on the right field,
with nothing saved and nothing the investigator typed lost."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from domain.choices import DeclineReason
from services import municipalities, referrals
from storage.models import Participant, PlacementRequest, Referral
from tests.support.clock import moment
from tests.web.conftest import squash

CONSENT = (
    "Deltagarens samtycke till att Försäkringskassan och kommunen delar information måste "
    "registreras, med datum."
)


@pytest.fixture
def investigator(visit, people):
    return visit(people["investigator"])


@pytest.fixture
def form(sqlite_world):
    osby = str(sqlite_world.municipality("Osby"))
    return {
        "name": "Anna Andersson",
        "personal_identity_number": "810923-9809",
        "phone": "070-174 06 05",
        "benefit_type": "sickness_benefit",
        "needs": "Vill pröva lager.",
        "preferred_municipality": osby,
        "consent_given": "y",
        "consent_on": "2026-11-20",
        "municipality": osby,
    }


def saved(world) -> int:
    return world.read(
        lambda s: sum(
            s.scalar(select(func.count()).select_from(m))
            for m in (Referral, Participant, PlacementRequest)
        )
    )


def test_the_investigator_files_a_referral_and_sees_its_code(investigator, form, sqlite_world):
    sent = investigator.post("/anmalan/ny", form)
    assert sent.status == 302
    assert sent.response.headers["Location"] == "/anmalan/MM-2026-0001/skickad"
    receipt = investigator.get("/anmalan/MM-2026-0001/skickad")
    assert receipt.h1 == "Anmälan är skickad"
    assert "Referenskod MM-2026-0001" in receipt.text
    assert "Osby har tillfrågats om att ta emot deltagaren. Svaret ser du på anmälans sida." in (
        receipt.text
    )
    stored = sqlite_world.read(lambda s: s.scalars(select(Participant)).one())
    assert stored.personal_identity_number == "198109239809"  # one normal form


def test_an_empty_form_lists_every_missing_answer_and_saves_nothing(investigator, sqlite_world):
    page = investigator.post("/anmalan/ny", {})
    assert page.status == 400
    assert page.summary == [
        ("#name", "Ange deltagarens namn."),
        ("#personal_identity_number", "Ange deltagarens personnummer."),
        ("#benefit_type", "Välj deltagarens ersättning."),
        ("#consent_given", CONSENT),
        ("#consent_on", "Ange datumet då deltagaren gav sitt samtycke."),
        ("#municipality", "Välj vilken kommun som ska tillfrågas."),
    ]
    assert page.error("name") == "Ange deltagarens namn."
    assert page.error("consent_on") == "Ange datumet då deltagaren gav sitt samtycke."
    assert saved(sqlite_world) == 0


def test_an_invalid_personnummer_is_refused_and_what_was_typed_is_kept(
    investigator, form, sqlite_world
):
    page = investigator.post("/anmalan/ny", {**form, "personal_identity_number": "19810923-9808"})
    assert page.status == 400
    message = (
        "Personnumret är inte giltigt. Skriv det som ÅÅÅÅMMDD-XXXX och kontrollera sista siffran."
    )
    assert page.summary == [("#personal_identity_number", message)]
    assert page.error("personal_identity_number") == message
    assert page.value("personal_identity_number") == "19810923-9808"
    assert page.value("name") == "Anna Andersson"
    assert page.value("needs").strip() == "Vill pröva lager."
    assert page.value("benefit_type") == "sickness_benefit"
    assert page.value("consent_on") == "2026-11-20"
    assert saved(sqlite_world) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "A" * 201, "Texten är för lång: högst 200 tecken."),
        ("needs", "x" * 5001, "Texten är för lång: högst 5000 tecken."),
        ("phone", "0" * 41, "Texten är för lång: högst 40 tecken."),
        (
            "consent_on",
            "20/11/2026",
            "20/11/2026 är inget datum skrivet ÅÅÅÅ-MM-DD, till exempel 2026-11-23.",
        ),
        ("consent_on", "2026-02-30", "Datumet 2026-02-30 finns inte. Kontrollera dag och månad."),
        ("consent_on", "2026-11-24", "Datum för samtycke kan inte ligga i framtiden."),
        ("benefit_type", "bribe", "Välj ett av alternativen i listan."),
        ("municipality", "abc", "Välj ett av alternativen i listan."),
        ("municipality", "999", "Välj ett av alternativen i listan."),
        ("preferred_municipality", "-1", "Välj ett av alternativen i listan."),
    ],
)
def test_each_kind_of_wrong_input_gets_its_swedish_message(
    investigator, form, sqlite_world, field, value, message
):
    page = investigator.post("/anmalan/ny", {**form, field: value})
    assert page.status == 400
    assert page.summary == [(f"#{field}", message)]
    assert page.error(field) == message
    assert saved(sqlite_world) == 0


def test_consent_must_be_ticked(investigator, form, sqlite_world):
    without = {k: v for k, v in form.items() if k != "consent_given"}
    page = investigator.post("/anmalan/ny", without)
    assert page.summary == [("#consent_given", CONSENT)]
    assert saved(sqlite_world) == 0


def test_a_request_larger_than_the_site_takes_gets_a_swedish_413(investigator, form):
    page = investigator.post("/anmalan/ny", {**form, "needs": "x" * 300_000})
    assert page.status == 413
    assert page.h1 == "För mycket skickades"


def test_without_the_csrf_token_nothing_is_saved(investigator, form, sqlite_world):
    page = investigator.post("/anmalan/ny", form, csrf=False)
    assert page.status == 400
    assert page.h1 == "Begäran kunde inte förstås"
    assert page.text.startswith(
        "Begäran kunde inte förstås Formuläret hade gått ut eller saknade sin säkerhetskod, så "
        "inget sparades."
    )
    assert saved(sqlite_world) == 0


def test_the_form_suggests_the_preferred_location_when_it_has_room(
    investigator, form, sqlite_world
):
    osby = str(sqlite_world.municipality("Osby"))
    page = investigator.post("/anmalan/ny", {"preferred_municipality": osby, "suggest": "1"})
    assert page.status == 200 and page.summary == []
    assert page.value("municipality") == osby
    suggested = page.soup.find("input", attrs={"name": "municipality", "checked": True})
    label = page.soup.find("label", attrs={"for": suggested["id"]})
    assert " ".join(label.get_text(" ").split()) == "Osby Förslag"


def test_without_a_preference_it_suggests_the_municipality_with_most_free_places(
    investigator, sqlite_world
):
    page = investigator.get("/anmalan/ny")
    assert page.value("municipality") == str(sqlite_world.municipality("Kristianstad"))
    assert "15 lediga platser" in page.text


def test_nul_characters_never_reach_the_database(investigator, form, sqlite_world):
    """PostgreSQL cannot store NUL in text; the form drops it instead of failing."""
    assert investigator.post("/anmalan/ny", {**form, "name": "Anna\x00 Andersson"}).status == 302
    stored = sqlite_world.read(lambda s: s.scalars(select(Participant)).one())
    assert stored.name == "Anna Andersson"


def test_beside_no_free_place_the_form_and_the_overview_show_when_the_next_one_frees_up(
    investigator, visit, people, sqlite_world
):
    osby_id = sqlite_world.municipality("Osby")
    sqlite_world.do(
        municipalities.set_capacity,
        actor=people["osby"],
        municipality_id=osby_id,
        capacity=1,
        now=moment(date(2026, 11, 20)),
    )
    # Started 14 July: six months of enrolment end on 13 January, the place is free the day after.
    sqlite_world.started(people["investigator"], people["osby"], "Osby", date(2026, 7, 14))
    page = investigator.get("/anmalan/ny")
    option = page.soup.find("input", attrs={"name": "municipality", "value": str(osby_id)})
    hint = squash(page.soup.find(id=option["aria-describedby"]).get_text(" "))
    assert hint == (
        "Inga lediga platser · Öppen för intag · Nästa plats väntas bli ledig 14 jan. 2027 "
        "(uppskattning)."
    )
    overview = visit(people["coordinator"]).get("/oversikt")
    row = overview.soup.find("th", string="Osby").find_parent("tr")
    assert squash(row.find_all("td")[-1].get_text(" ")) == (
        "Nästa plats väntas bli ledig 14 jan. 2027 (uppskattning)."
    )
    months = overview.soup.find("table", class_="freeing")
    assert [squash(th.get_text()) for th in months.find("thead").find_all("th")][1:3] == [
        "november 2026",
        "december 2026",
    ]
    freeing = months.find("th", string="Osby").find_parent("tr").find_all("td")
    assert [td.get_text() for td in freeing] == ["0", "0", "1", "0", "0", "0"]  # 14 January
    # Fråga en annan kommun: Kristianstad declined, Osby is offered with the same estimate.
    referral = sqlite_world.file(people["investigator"], "Kristianstad", date(2026, 11, 20))
    sqlite_world.do(
        referrals.decline_request,
        actor=people["kristianstad"],
        request_id=sqlite_world.open_request_id(referral.id),
        reason=DeclineReason.NO_CAPACITY,
        comment="",
        now=moment(date(2026, 11, 21)),
    )
    detail = investigator.get(f"/anmalningar/{referral.reference_code}")
    option = detail.soup.find("input", attrs={"name": "ask_municipality", "value": str(osby_id)})
    assert squash(detail.soup.find(id=option["aria-describedby"]).get_text(" ")).endswith(
        "· Nästa plats väntas bli ledig 14 jan. 2027 (uppskattning)."
    )
