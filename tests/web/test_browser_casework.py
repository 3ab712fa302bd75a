"""Casework walked in a real headless Chromium as each role, on the demo site: the worklist
leads to each action; a duplicate personnummer is refused with the existing code; an accept
without a free place asks first; a corrected start date moves the budget; a meeting's .ics
opens in a calendar parser and names no participant; the coordinator finds a referral by
code among 100 000; and axe-core finds nothing on any of the new pages.

(The site is the browser tests' shared one; these run after test_browser.py, act on
referrals of their own, and add the 100 000 rows last.)"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select

from domain.lifecycle import ReferralStatus
from locales import format_money
from services import reports
from storage.db import unit_of_work
from storage.models import Municipality, Placement, Referral, User
from tests.support.bulk import insert_placements
from tests.web.browser import CHROMIUM, TODAY, Person

NUMBER = "19700101-9822"  # not in the demo data (its birth numbers are random)


@pytest.fixture(scope="module")
def people(browser, site):
    made: dict[str, Person] = {}

    def person(email: str) -> Person:
        if email not in made:
            made[email] = Person(browser, site, email)
        return made[email]

    yield person
    for each in made.values():
        each.close()


def clean(person: Person) -> None:
    """No axe violation, no script error, no failed resource on the page shown."""
    assert person.axe() == []
    assert person.problems == []


def main_text(person: Person) -> str:
    return " ".join(person.page.locator("main").inner_text().split())


def file_referral(person: Person, number: str, municipality: str) -> None:
    page = person.page
    person.go("/anmalan/ny")
    page.get_by_label("Namn").fill("Hjalmar Söderberg")
    page.get_by_label("Personnummer").fill(number)
    page.get_by_label("Sjukpenning").check()
    page.get_by_label("Deltagaren samtycker").check()
    page.get_by_label("Datum för samtycket").fill(TODAY.isoformat())
    page.get_by_label(municipality, exact=False).first.check()
    page.get_by_role("button", name="Skicka anmälan").click()


@pytest.mark.slow
def test_the_walk_of_an_investigator_and_a_contact(people, site):
    investigator = people("utredare1@fk.example")
    file_referral(investigator, NUMBER, "Osby")
    code = investigator.page.locator(".code").inner_text()
    assert re.fullmatch(r"MM-2026-\d{4}", code)

    # The same person again: refused with the open referral's code, nothing lost.
    file_referral(investigator, NUMBER, "Bromölla")
    assert investigator.page.locator(".error-summary li").all_inner_texts() == [
        f"Personen har redan en öppen anmälan, {code}. En person kan ha en öppen anmälan åt "
        "gången: följ upp den eller återkalla den först."
    ]
    assert investigator.page.get_by_label("Namn").input_value() == "Hjalmar Söderberg"
    clean(investigator)

    # The investigator's worklist and own page.
    investigator.go("/att-gora")
    assert investigator.page.locator("h1").inner_text() == "Att göra"
    clean(investigator)
    investigator.go("/mina-installningar/uppgifter")
    assert investigator.page.get_by_label("Telefon i tjänsten").input_value() == "040-628 04 11"
    clean(investigator)

    # Osby is full: its contact sets the capacity to what is taken.
    contact = people("kontakt@osby.example")
    taken = site.read(
        lambda s: reports.places_of(
            s, s.scalar(select(Municipality.id).where(Municipality.name == "Osby"))
        )
    )
    contact.go("/kommun")
    contact.page.get_by_label("Platser ni kan ta emot nu").fill(
        str(taken.started + taken.accepted_not_started)
    )
    contact.page.get_by_role("button", name="Spara kapaciteten").click()
    assert "0 lediga platser nu" in main_text(contact)

    # The worklist leads to the request; accepting asks first.
    contact.go("/att-gora")
    menu = contact.page.locator("nav a[aria-current=page]").inner_text()
    assert re.fullmatch(r"Att göra \d+", " ".join(menu.split()))
    clean(contact)
    contact.page.get_by_role("link", name=code).first.click()
    assert contact.page.url.endswith(f"/anmalningar/{code}#acceptera")
    assert "Hjalmar Söderberg" in main_text(contact)
    contact.page.get_by_label("Datum för trepartssamtalet").fill(
        (TODAY + timedelta(days=3)).isoformat()
    )
    contact.page.get_by_label("Tid", exact=True).fill("10:00")
    contact.page.get_by_label("Plats", exact=True).fill("Osby kommunhus, rum 2")
    contact.page.get_by_role("button", name="Acceptera", exact=True).click()
    assert contact.page.locator("h1").inner_text() == "Ingen ledig plats"
    assert "Osby har 0 lediga platser. Acceptera ändå?" in main_text(contact)
    clean(contact)
    contact.page.get_by_role("button", name="Ja, acceptera över kapaciteten").click()
    assert "Du har accepterat anmälan" in contact.page.locator(".notice").inner_text()
    clean(contact)

    # The tripartite meeting's invitation: a calendar parser reads it; no participant in it.
    contact.page.locator("section[aria-labelledby=meetings-heading] tbody th a").click()
    assert contact.page.locator("h1").inner_text() == "Trepartssamtal"
    with contact.page.expect_download() as downloading:
        contact.page.get_by_role("link", name="Ladda ner kalenderinbjudan (.ics)").click()
    body = Path(downloading.value.path()).read_bytes()
    [event] = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["summary"]) == f"Trepartssamtal {code}, Osby"
    assert str(event["location"]) == "Osby kommunhus, rum 2"
    for personal in ("Hjalmar", "Söderberg", NUMBER, NUMBER.replace("-", "")):
        assert personal not in body.decode()
    clean(contact)  # the meeting's own page


def test_a_corrected_start_date_moves_the_budget(people, site):
    def find(session):
        return session.execute(
            select(Referral.reference_code, Placement.started_on)
            .join(Placement, Placement.referral_id == Referral.id)
            .join(Municipality, Municipality.id == Placement.municipality_id)
            .where(
                Referral.status == ReferralStatus.STARTED,
                Municipality.name == "Osby",
            )
            .order_by(Placement.started_on.desc())
        ).first()

    code, started = site.read(find)
    coordinator = people("samordnare@fk.example")

    def committed_2026() -> str:
        coordinator.go("/oversikt")
        row = coordinator.page.locator(
            "section[aria-labelledby=budget-heading] tbody tr", has_text="2026"
        )
        return row.locator("td").nth(1).inner_text()

    before = committed_2026()
    contact = people("kontakt@osby.example")
    contact.go(f"/anmalningar/{code}")
    earlier = started - timedelta(days=1 if started.weekday() else 3)  # a weekday before
    card = contact.page.locator("#action-correct_date")
    card.get_by_label(re.compile("^Datum för trepartssamtalet")).check()
    card.get_by_label("Rätt datum", exact=True).fill(earlier.isoformat())
    card.get_by_label("Fel datum angavs av misstag").check()
    card.get_by_role("button", name="Rätta datumet").click()
    assert "Datumet är rättat till" in contact.page.locator(".notice").inner_text()
    assert "Datum för trepartssamtalet rättades från" in main_text(contact)
    clean(contact)
    after = committed_2026()
    expected = site.read(lambda s: reports.year_budget(s, year=2026, today=TODAY).committed)
    assert after == format_money(expected) != before


def _own_code(site, status: ReferralStatus, email: str | None = None, municipality: str = ""):
    def find(session):
        query = select(Referral.reference_code).where(Referral.status == status)
        if municipality:
            query = query.join(Municipality, Municipality.id == Referral.current_municipality_id)
            query = query.where(Municipality.name == municipality)
        if email:
            query = query.join(User, User.id == Referral.investigator_id).where(User.email == email)
        return session.scalars(query.order_by(Referral.id)).first()

    return site.read(find)


NEW_PAGES = {
    "contact: individual plan": (
        "kontakt@osby.example",
        lambda site: (
            f"/anmalningar/{_own_code(site, ReferralStatus.STARTED, municipality='Osby')}"
            "/dokument/plan"
        ),
    ),
    "investigator: correct the participant": (
        "utredare1@fk.example",
        lambda site: (
            f"/anmalningar/"
            f"{_own_code(site, ReferralStatus.REQUESTED, 'utredare1@fk.example')}/deltagare"
        ),
    ),
    "investigator: withdraw question": (
        "utredare1@fk.example",
        lambda site: (
            f"/anmalningar/"
            f"{_own_code(site, ReferralStatus.REQUESTED, 'utredare1@fk.example')}/aterkalla"
        ),
    ),
    "contact: own details": ("kontakt@osby.example", lambda site: "/mina-installningar/uppgifter"),
    "coordinator: worklist of one kind": (
        "samordnare@fk.example",
        lambda site: "/att-gora?task=book_follow_up",
    ),
}


@pytest.mark.parametrize("name", NEW_PAGES)
def test_axe_finds_nothing_on_the_new_pages(name, people, site):
    email, path = NEW_PAGES[name]
    person = people(email)
    answer = person.go(path(site))
    assert answer.status == 200
    assert person.page.locator("html").get_attribute("lang") == "sv"
    clean(person)


def test_withdrawing_asks_first_without_javascript(browser, site):
    person = Person(browser, site, "utredare2@fk.example", javascript=False)
    page = person.page
    try:
        page.goto(site.url + "/anmalan/ny")
        page.get_by_label("Namn").fill("Edith Södergran")
        page.get_by_label("Personnummer").fill("19700101-9830")
        page.get_by_label("Aktivitetsersättning").check()
        page.get_by_label("Deltagaren samtycker").check()
        page.get_by_label("Datum för samtycket").fill(TODAY.isoformat())
        page.get_by_role("button", name="Skicka anmälan").click()
        code = page.locator(".code").inner_text()
        page.goto(f"{site.url}/anmalningar/{code}")
        page.get_by_role("link", name="Återkalla anmälan").click()
        assert page.locator("h1").inner_text() == "Återkalla anmälan"
        page.get_by_role("button", name="Ja, återkalla anmälan").click()
        assert page.locator(".notice").inner_text() == "Anmälan är återkallad."
        assert page.locator("script").count() == 0
    finally:
        person.close()


@pytest.mark.slow
def test_the_coordinator_finds_a_referral_by_code_among_100_000(browser, own_site):
    site = own_site  # 100 000 referrals would slow every later page of the shared site

    def fill(session):
        ids = list(session.scalars(select(Municipality.id).order_by(Municipality.id)))
        start, end = date(2026, 3, 2), date(2026, 8, 31)
        for municipality_id in ids:
            insert_placements(session, municipality_id, [(start, end, True)] * 25_000)

    with unit_of_work(site.sessions) as session:
        fill(session)
    total = site.read(lambda s: s.query(Referral).count())
    assert total > 100_000
    wanted = site.read(
        lambda s: s.scalar(
            select(Referral.reference_code).where(Referral.reference_code.like("MM-%"))
        )
    )
    coordinator = Person(browser, site, "samordnare@fk.example")
    coordinator.go("/anmalningar")
    # Counted to the first thousand only (services.paging): the page does not grow with them.
    assert "Över 1\xa0000 anmälningar." in coordinator.page.locator("main").inner_text()
    clean(coordinator)
    coordinator.page.get_by_label("Sök på referenskod eller personnummer").fill(wanted.lower())
    coordinator.page.get_by_role("button", name="Visa").click()
    assert coordinator.page.locator("[role=status]").inner_text() == "1 anmälan."
    assert coordinator.page.locator("tbody th a").all_inner_texts() == [wanted]
    coordinator.page.get_by_role("link", name=wanted).click()
    assert coordinator.page.locator("h1").inner_text() == wanted
    coordinator.go("/att-gora")
    assert coordinator.page.locator("h1").inner_text() == "Att göra"
    clean(coordinator)
    coordinator.close()


if not Path(CHROMIUM).exists():  # pragma: no cover - see browser.py
    pytestmark = pytest.mark.skip(reason="Debian's chromium is not installed")
