"""Journeys walked in a real headless Chromium, and axe-core on every page (zero violations).

The site runs with the demo data, as after `make run`, and the demo users log in through the
login form with the password `mm demo` prints."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from domain.lifecycle import ReferralStatus
from services import reports
from storage.models import ChatOutbox, Municipality, Placement, PlacementRequest, Referral, User
from tests.support.clock import moment
from tests.support.login import code_for
from tests.web.browser import TODAY, Person

CONTACTS = {
    "Bromölla": "kontakt@bromolla.example",
    "Kristianstad": "kontakt@kristianstad.example",
    "Osby": "kontakt@osby.example",
    "Östra Göinge": "kontakt@ostragoinge.example",
}


@pytest.fixture(scope="session")
def people(browser, site):
    made: dict[str, Person] = {}

    def person(email: str | None) -> Person:
        if email not in made:
            made[email] = Person(browser, site, email)
        return made[email]

    yield person
    for each in made.values():
        each.close()


def free_and_committed(coordinator: Person, municipality: str) -> tuple[str, str]:
    coordinator.go("/oversikt")
    places = coordinator.page.locator(
        "section[aria-labelledby=places-heading] tbody tr", has_text=municipality
    )
    free = places.locator("td").nth(3).inner_text()
    budget = coordinator.page.locator(
        "section[aria-labelledby=budget-heading] tbody tr", has_text="2026"
    )
    return free, budget.locator("td").nth(1).inner_text()


def test_a_referral_from_filing_to_start_changes_places_and_budget(people, site):
    roomiest = site.read(
        lambda s: max(reports.availability(s).municipalities, key=lambda m: m.free)
    )
    target = roomiest.municipality
    coordinator = people("samordnare@fk.example")
    free_before, committed_before = free_and_committed(coordinator, target)
    assert int(free_before) == roomiest.free > 0

    # The investigator files a referral and sees its code.
    investigator = people("utredare1@fk.example")
    page = investigator.page
    page.get_by_role("link", name="Ny anmälan").first.click()
    page.get_by_label("Namn").fill("Selma Lagerlöf")
    page.get_by_label("Personnummer").fill("19810923-9809")
    page.get_by_label("Telefon (frivilligt)").fill("070-174 06 99")
    page.get_by_label("Sjukpenning").check()
    page.get_by_label("Vad deltagaren behöver och vill").fill("Vill pröva kök. Korta dagar.")
    page.get_by_label("Deltagaren samtycker").check()
    page.get_by_label("Datum för samtycket").fill("2026-11-20")
    page.get_by_label("Önskad ort").select_option(label=target)
    page.get_by_role("button", name="Föreslå kommun").click()
    assert page.get_by_label(target, exact=False).first.is_checked()
    assert page.get_by_label("Namn").input_value() == "Selma Lagerlöf"  # nothing lost
    page.get_by_role("button", name="Skicka anmälan").click()
    assert page.locator("h1").inner_text() == "Anmälan är skickad"
    code = page.locator(".code").inner_text()
    assert re.fullmatch(r"MM-2026-\d{4}", code)

    # The municipality's contact sees it among the requests and accepts it.
    contact = people(CONTACTS[target])
    contact.go("/forfragningar")
    contact.page.get_by_role("link", name=code).click()
    assert "Selma Lagerlöf" in contact.page.locator("main").inner_text()
    contact.page.get_by_label("Datum för trepartssamtalet").fill("2026-11-23")
    contact.page.get_by_label("Tid", exact=True).fill("10:00")
    contact.page.get_by_label("Plats", exact=True).fill("Kommunhuset, rum 2")
    contact.page.get_by_role("button", name="Acceptera").click()
    notice = contact.page.locator(".notice").inner_text()
    assert "Du har accepterat anmälan; trepartssamtalet är bokat till" in notice

    # The coordinator sees one place fewer at once; the budget moves when the meeting is held.
    free_after, committed_after_accept = free_and_committed(coordinator, target)
    assert int(free_after) == int(free_before) - 1
    assert committed_after_accept == committed_before
    contact.page.get_by_label("Datum då trepartssamtalet hölls").fill("2026-11-23")
    contact.page.get_by_role("button", name="Registrera samtalet: träningsplatsen startar").click()
    assert "träningsplatsen har startat" in contact.page.locator(".notice").inner_text()
    free_started, committed_started = free_and_committed(coordinator, target)
    assert free_started == free_after
    expected = site.read(lambda s: reports.year_budget(s, year=2026, today=TODAY).committed)
    from locales import format_money

    assert committed_started == format_money(expected) != committed_before
    stored = site.read(
        lambda s: s.scalars(select(Referral).where(Referral.reference_code == code)).one().status
    )
    assert stored is ReferralStatus.STARTED
    for person in (investigator, contact, coordinator):
        assert person.problems == []  # no CSP violation, no script error


# ---- axe-core on every page ------------------------------------------------------------


def _code(site, *conditions, investigator: str | None = None) -> str:
    def find(session):
        query = select(Referral.reference_code).where(*conditions).order_by(Referral.id)
        if investigator:
            query = query.join(User, User.id == Referral.investigator_id).where(
                User.email == investigator
            )
        return session.scalars(query).first()

    return site.read(find)


def _municipality_of_open_request(site, code: str) -> str:
    return site.read(
        lambda s: s.scalars(
            select(Municipality.name)
            .join(PlacementRequest, PlacementRequest.municipality_id == Municipality.id)
            .join(Referral, Referral.id == PlacementRequest.referral_id)
            .where(Referral.reference_code == code)
            .order_by(PlacementRequest.id.desc())
        ).first()
    )


def _placement_code(site, status: ReferralStatus, *conditions) -> tuple[str, str]:
    def find(session):
        row = session.execute(
            select(Referral.reference_code, Municipality.name)
            .join(Placement, Placement.referral_id == Referral.id)
            .join(Municipality, Municipality.id == Placement.municipality_id)
            .where(Referral.status == status, *conditions)
            .order_by(Referral.id)
        ).first()
        return tuple(row)

    return site.read(find)


PAGES = [
    "anonymous: login",
    "anonymous: login with errors",
    "anonymous: page not found",
    "investigator: my referrals",
    "investigator: new referral",
    "investigator: new referral with errors",
    "investigator: referral waiting for an answer",
    "investigator: declined referral",
    "investigator: receipt",
    "contact: requests",
    "contact: municipality",
    "contact: municipality with errors",
    "contact: my settings",
    "contact: request to answer",
    "contact: accept with errors",
    "contact: running placement",
    "contact: ended placement without final report",
    "coordinator: overview",
    "coordinator: overview with errors",
    "coordinator: all referrals",
    "coordinator: ended placement needing an alternative plan",
    "coordinator: budget",
    "association: budget",
    "association: page not for the role",
    "any: link slack",
    "admin: failed deliveries",
]


def _open(name: str, people, site) -> Person:
    role, what = name.split(": ", 1)
    if role == "anonymous":
        person = people(None)
        person.go("/finns-inte" if what == "page not found" else "/logga-in")
        if what == "login with errors":
            person.page.get_by_role("button", name="Logga in").click()
        return person
    if role == "investigator":
        person = people("utredare1@fk.example")
        own = "utredare1@fk.example"
        paths = {
            "my referrals": "/anmalningar",
            "new referral": "/anmalan/ny",
            "new referral with errors": "/anmalan/ny",
            "referral waiting for an answer": "/anmalningar/"
            + _code(site, Referral.status == ReferralStatus.REQUESTED, investigator=own),
            "declined referral": "/anmalningar/"
            + _code(site, Referral.status == ReferralStatus.DECLINED, investigator=own),
            "receipt": f"/anmalan/{_code(site, investigator=own)}/skickad",
        }
        person.go(paths[what])
        if what.endswith("with errors"):
            person.page.get_by_role("button", name="Skicka anmälan").click()
        return person
    if role == "contact":
        if what == "my settings":
            person = people(CONTACTS["Osby"])
            person.go("/mina-installningar")
            return person
        if what in ("requests", "municipality", "municipality with errors"):
            person = people(CONTACTS["Osby"])
            person.go("/forfragningar" if what == "requests" else "/kommun")
            if what.endswith("with errors"):
                person.page.get_by_label("Platser ni kan ta emot nu").fill("många")
                person.page.get_by_role("button", name="Spara kapaciteten").click()
            return person
        if what in ("request to answer", "accept with errors"):
            code = _code(site, Referral.status == ReferralStatus.REQUESTED)
            person = people(CONTACTS[_municipality_of_open_request(site, code)])
            person.go(f"/anmalningar/{code}")
            if what.endswith("with errors"):
                person.page.get_by_role("button", name="Acceptera").click()
            return person
        status = ReferralStatus.STARTED if what == "running placement" else ReferralStatus.ENDED
        extra = () if status is ReferralStatus.STARTED else (Placement.final_report_on.is_(None),)
        code, municipality = _placement_code(site, status, *extra)
        person = people(CONTACTS[municipality])
        person.go(f"/anmalningar/{code}")
        return person
    if role == "coordinator":
        person = people("samordnare@fk.example")
        if what == "ended placement needing an alternative plan":
            code, _m = _placement_code(
                site,
                ReferralStatus.ENDED,
                Placement.alternative_plan_on.is_(None),
                Placement.outcome.in_(["dropout", "other_measure"]),
            )
            person.go(f"/anmalningar/{code}")
            return person
        person.go({"all referrals": "/anmalningar", "budget": "/budget"}.get(what, "/oversikt"))
        if what.endswith("with errors"):
            # The rate form moved from the overview to its own page (/dagersattning).
            person.go("/dagersattning")
            person.page.get_by_label("Dagersättning i kronor").fill("gratis")
            person.page.get_by_role("button", name="Spara dagersättningen").click()
        return person
    if role == "association":
        person = people("forbundet@sfsno.example")
        person.go("/budget" if what == "budget" else "/oversikt")
        return person
    person = people("admin@mm.example")
    if what == "failed deliveries":
        _a_failed_delivery(site)
        person.go("/leveranser")
        return person
    person.go("/koppla/en-lank-fran-slack")
    return person


def _a_failed_delivery(site) -> None:
    """A request card the bot could not post: it was not in Osby's channel."""

    def add(session):
        if session.scalars(select(ChatOutbox).where(ChatOutbox.key == "request:1:card")).first():
            return
        session.add(
            ChatOutbox(
                key="request:1:card",
                channel="C0000OSBY",
                action="post",
                text="Förfrågan",
                blocks=[],
                state="failed",
                attempts=1,
                created_at=moment(TODAY, 9),
                next_attempt_at=moment(TODAY, 9),
                last_error="not_in_channel",
            )
        )

    site.read(add)


DUPLICATE_IDS = """() => {
  const ids = [...document.querySelectorAll("[id]")].map(e => e.id);
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}"""


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(name, people, site):
    person = _open(name, people, site)
    if "with errors" in name:
        assert person.page.locator(".error-summary").count() == 1
    assert person.page.locator("html").get_attribute("lang") == "sv"
    assert person.axe() == []
    assert person.problems == []
    assert person.page.evaluate(DUPLICATE_IDS) == []


def test_axe_and_the_problem_watch_do_notice_faults(people, site):
    """The checks above can fail: a picture without a text alternative, an inline script
    (refused by the Content-Security-Policy) and a missing style sheet are all caught."""
    person = people(None)
    person.go("/logga-in")
    person.page.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.insertAdjacentHTML("beforeend", '<img src="/static/favicon.svg">');
          const script = document.createElement("script");
          script.textContent = "window.ran = true";
          document.body.appendChild(script);
          const sheet = document.createElement("link");
          sheet.rel = "stylesheet"; sheet.href = "/static/css/missing.css";
          document.head.appendChild(sheet);
        }"""
    )
    person.page.wait_for_load_state("networkidle")
    assert "image-alt" in [v["id"] for v in person.axe()]
    assert person.page.evaluate("() => window.ran === true") is False
    assert any("Content Security Policy" in p for p in person.problems)
    assert any(p.startswith("404 ") and p.endswith("missing.css") for p in person.problems)


def test_keyboard_only_login_and_skip_link(browser, site):
    person = Person(browser, site, None)
    try:
        person.go("/logga-in")
        page = person.page
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == (
            "Hoppa till huvudinnehållet"
        )
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"
        page.keyboard.press("Tab")  # the first field of the form
        page.keyboard.type("samordnare@fk.example")
        page.keyboard.press("Tab")
        page.keyboard.type("demo-losen-2026")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/logga-in/kod(#main)?$"))  # the fragment follows
        # Where the first Tab starts depends on whether the fragment followed the redirect
        # (from the main content) or not (from the top: skip link, service name). Either
        # way the code field is at most three key presses away, and nothing is typed before.
        for _press in range(3):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.name") == "code":
                break
        assert page.evaluate("() => document.activeElement.name") == "code"
        page.keyboard.type(code_for(site.sessions, "samordnare@fk.example", clock=site.clock))
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/oversikt(#main)?$"))
        assert page.locator("h1").inner_text() == "Översikt"
    finally:
        person.close()


def test_every_journey_works_without_javascript(browser, site):
    """The site has no script at all: a visitor with JavaScript off files a referral."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site.url + "/logga-in")
        page.get_by_label("E-postadress").fill("utredare2@fk.example")
        page.get_by_label("Lösenord").fill("demo-losen-2026")
        page.get_by_role("button", name="Logga in").click()
        page.get_by_label("Kod").fill(
            code_for(site.sessions, "utredare2@fk.example", clock=site.clock)
        )
        page.get_by_role("button", name="Fortsätt").click()
        page.goto(site.url + "/anmalan/ny")
        assert page.locator("script").count() == 0
        page.get_by_label("Namn").fill("Karin Boye")
        page.get_by_label("Personnummer").fill("199001189811")
        page.get_by_label("Aktivitetsersättning").check()
        page.get_by_label("Deltagaren samtycker").check()
        page.get_by_label("Datum för samtycket").fill("2026-11-23")
        page.get_by_role("button", name="Föreslå kommun").click()
        page.get_by_role("button", name="Skicka anmälan").click()
        assert page.locator("h1").inner_text() == "Anmälan är skickad"
    finally:
        context.close()
