"""Capacity on the web: the question before an accept without a free place, the intake
state, and free places that never read below zero."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from domain.choices import IntakeState, Role
from services import municipalities
from storage.models import Municipality, Placement
from tests.support.clock import moment
from tests.web.conftest import squash


def set_capacity(world, name, capacity, state=None):
    world.do(
        municipalities.set_capacity,
        actor=world.user(Role.ADMIN),
        municipality_id=world.municipality(name),
        capacity=capacity,
        state=state,
        now=moment(date(2026, 11, 20)),
    )


def test_an_accept_without_a_free_place_asks_first(visit, people, sqlite_world):
    set_capacity(sqlite_world, "Osby", 0)
    referral = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    osby = visit(people["osby"])
    url = f"/anmalningar/{referral.reference_code}"
    form = {
        "request_id": osby.get(url).value("request_id"),
        "meeting_on": "2026-11-30",
        "meeting_time": "10:00",
        "place": "Osby kommunhus",
        "submission_key": "a" * 32,
    }
    question = osby.post(url + "/acceptera", form)
    assert question.status == 200
    assert question.h1 == "Ingen ledig plats"
    assert "Osby har 0 lediga platser. Acceptera ändå?" in question.text
    assert sqlite_world.read(lambda s: s.scalars(select(Placement)).all()) == []
    carried = {i["name"]: i["value"] for i in question.soup.select("main form input[type=hidden]")}
    assert carried["over_capacity"] == "1" and carried["meeting_on"] == "2026-11-30"
    assert osby.post(url + "/acceptera", carried).status == 302
    page = osby.get(url)
    assert page.notices == [
        "Du har accepterat anmälan; trepartssamtalet är bokat till 30 nov. 2026."
    ]
    assert (
        "Osby accepterade över kapaciteten; trepartssamtalet är bokat till 30 nov. 2026."
        in page.text
    )
    own = osby.get("/kommun")
    assert (
        "Över kapaciteten med 1 nu: kapacitet 0, startade 0, accepterade men inte startade 1."
        in own.text
    )
    overview = visit(people["coordinator"]).get("/oversikt")
    row = overview.soup.find("th", string="Osby").parent
    assert [squash(c.get_text()) for c in row.find_all("td")][3:] == [
        "0 (över kapaciteten med 1)",
        "Öppen för intag",
        "",  # capacity 0: no place is expected to free up, so no date is estimated
    ]


def test_the_municipality_sets_its_intake_state(visit, people, sqlite_world):
    osby = visit(people["osby"])
    assert osby.get("/kommun").value("state") == "open"
    assert osby.post("/kommun/kapacitet", {"capacity": "4", "state": "waiting_list"}).status == 302
    page = osby.get("/kommun")
    assert page.value("state") == "waiting_list"
    assert "Nya deltagare: Väntelista." in page.text
    stored = sqlite_world.read(
        lambda s: s.scalars(select(Municipality).where(Municipality.name == "Osby")).one()
    )
    assert (stored.capacity, stored.intake_state) == (4, IntakeState.WAITING_LIST)
    wrong = osby.post("/kommun/kapacitet", {"capacity": "4", "state": "maybe"})
    assert wrong.summary == [("#state", "Välj ett av alternativen i listan.")]


def test_the_new_referral_form_shows_places_and_state_and_refuses_a_closed_one(
    visit, people, sqlite_world
):
    set_capacity(sqlite_world, "Osby", 3, IntakeState.CLOSED)
    set_capacity(sqlite_world, "Bromölla", 2, IntakeState.WAITING_LIST)
    investigator = visit(people["investigator"])
    page = investigator.get("/anmalan/ny")
    hints = {
        page.soup.find("label", attrs={"for": radio["id"]}).get_text(" ", strip=True): " ".join(
            page.soup.find(id=radio["aria-describedby"]).get_text(" ").split()
        )
        for radio in page.soup.select("input[name=municipality]")
    }
    assert hints["Osby"] == "3 lediga platser · Stängd för intag"
    assert hints["Bromölla"] == "2 lediga platser · Väntelista"
    assert hints["Kristianstad Förslag"] == "15 lediga platser · Öppen för intag"
    form = {
        "name": "Anna Andersson",
        "personal_identity_number": "810923-9809",
        "benefit_type": "sickness_benefit",
        "consent_given": "y",
        "consent_on": "2026-11-20",
        "municipality": str(sqlite_world.municipality("Osby")),
    }
    refused = investigator.post("/anmalan/ny", form)
    assert refused.status == 400
    assert refused.summary == [
        ("#municipality", "Osby har stängt för intag just nu. Välj en annan kommun.")
    ]


def test_the_overview_shows_a_new_capacity_at_once(visit, people):
    """`/oversikt` is kept while the database reads the same (services.kept_answers): the
    capacity a municipality sets shows on the coordinator's next overview."""
    coordinator, osby = visit(people["coordinator"]), visit(people["osby"])

    def osby_row() -> list[str]:
        row = coordinator.get("/oversikt").soup.find("th", string="Osby").parent
        return [squash(c.get_text()) for c in row.find_all("td")][:4]

    assert osby.post("/kommun/kapacitet", {"capacity": "4", "state": "open"}).status == 302
    assert osby_row() == osby_row()
    assert osby_row()[0] == "4"
    assert osby.post("/kommun/kapacitet", {"capacity": "9", "state": "open"}).status == 302
    assert osby_row()[0] == "9"
    assert osby_row()[3] == "9"
