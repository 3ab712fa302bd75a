"""The municipality's pages, the coordinator's overview, the budget page and the Slack link."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from domain.choices import Role
from services import chat_links
from storage.models import Municipality, ProgramYearRow, User
from tests.support.clock import moment


def test_the_inbox_shows_open_requests_and_placements_of_the_own_municipality_only(
    visit, people, sqlite_world
):
    waiting = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    elsewhere = sqlite_world.file(people["investigator"], "Kristianstad", date(2026, 11, 20))
    running = sqlite_world.started(
        people["investigator"], people["osby"], "Osby", date(2026, 11, 2)
    )
    page = visit(people["osby"]).get("/forfragningar")
    assert page.h1 == "Förfrågningar till Osby"
    assert waiting.reference_code in page.text and running.reference_code in page.text
    assert elsewhere.reference_code not in page.text
    assert "Anna" not in page.text  # lists carry no personal data


def test_the_municipality_sets_its_capacity_and_offer(visit, people, sqlite_world):
    osby = visit(people["osby"])
    page = osby.get("/kommun")
    assert page.h1 == "Osby"
    assert "5 lediga platser nu: kapacitet 5, startade 0, accepterade men inte startade 0." in (
        page.text
    )
    assert osby.post("/kommun/kapacitet", {"capacity": "7"}).status == 302
    assert osby.get("/kommun").notices == ["Kapaciteten är sparad."]
    assert osby.post("/kommun/erbjudande", {"offer": "Lager, kök och återbruk."}).status == 302
    page = osby.get("/kommun")
    assert page.notices == ["Erbjudandet är sparat."]
    assert page.value("capacity") == "7"
    assert page.value("offer").strip() == "Lager, kök och återbruk."
    stored = sqlite_world.read(
        lambda s: s.scalars(select(Municipality).where(Municipality.name == "Osby")).one()
    )
    assert (stored.capacity, stored.offer) == (7, "Lager, kök och återbruk.")


def test_a_wrong_capacity_is_refused_in_swedish(visit, people):
    osby = visit(people["osby"])
    for value, message in [
        ("", "Ange hur många deltagare ni kan ta emot nu."),
        ("fem", "fem är inget heltal som är noll eller större."),
        ("-3", "-3 är inget heltal som är noll eller större."),
        ("5000", "Kapaciteten måste vara ett heltal från 0 till 1000."),
    ]:
        page = osby.post("/kommun/kapacitet", {"capacity": value})
        assert page.status == 400
        assert page.summary == [("#capacity", message)], value
        assert page.value("capacity") == value
    page = osby.post("/kommun/erbjudande", {"offer": "x" * 5001})
    assert page.summary == [("#offer", "Texten är för lång: högst 5000 tecken.")]


# The overview's places table, not the freeing-per-month table in the same section.
PLACES_ROWS = "section[aria-labelledby=places-heading] table:not(.freeing) tbody tr"


def test_the_overview_shows_places_budget_and_indicators(visit, people, sqlite_world):
    sqlite_world.started(people["investigator"], people["osby"], "Osby", date(2026, 11, 2))
    page = visit(people["coordinator"]).get("/oversikt")
    assert page.h1 == "Översikt"
    rows = {
        tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in page.soup.select(PLACES_ROWS)
    }
    # The last column, the next free place, is empty where a place is free now.
    assert rows["Osby"] == ["5", "1", "0", "4", "Öppen för intag", ""]
    assert "Totalt: 30 lediga platser." in page.text
    budget = {
        tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in page.soup.select("section[aria-labelledby=budget-heading] tbody tr")
    }
    # 2 nov – 31 dec 2026: 44 weekdays less Christmas Day, at 200 kr.
    assert budget["2026"][0] == "1\xa0345\xa0000\xa0kr"
    assert budget["2026"][1] == "8\xa0600\xa0kr"
    assert budget["2027"][-1] == "200\xa0kr – inte fastställd än"
    assert page.soup.select_one("figure svg[role=img] title").get_text() == (
        "Budget, uppbundet och utfall per år"
    )
    assert "Kartläggning och individuell planering inom 4 veckor från start" in page.text


def test_the_coordinator_confirms_a_years_rate(visit, people, sqlite_world):
    coordinator = visit(people["coordinator"])
    done = coordinator.post(
        "/dagersattning", {"year": "2027", "rate": "206,40", "reason": "Förbundets beslut."}
    )
    assert done.status == 302
    page = coordinator.get("/dagersattning")
    assert page.notices == ["Dagersättningen för 2027 är nu 206,40\xa0kr."]
    row = sqlite_world.read(
        lambda s: s.scalars(select(ProgramYearRow).where(ProgramYearRow.year == 2027)).one()
    )
    assert (row.daily_rate_ore, row.rate_confirmed) == (20640, True)


def test_a_wrong_rate_is_refused_in_swedish(visit, people):
    coordinator = visit(people["coordinator"])
    for form, field, message in [
        (
            {"year": "2027", "rate": "två hundra"},
            "rate",
            "två hundra är inget belopp i kronor, till exempel 206,40.",
        ),
        (
            {"year": "2027", "rate": "0"},
            "rate",
            "Dagersättningen måste vara ett belopp i kronor större än noll.",
        ),
        ({"year": "2031", "rate": "206"}, "year", "Välj ett av alternativen i listan."),
        ({"year": "2027"}, "rate", "Ange dagersättningen i kronor, till exempel 206,40."),
    ]:
        form = {"reason": "Förbundets beslut.", **form}
        page = coordinator.post("/dagersattning", form)
        assert page.status == 400
        assert page.summary == [(f"#{field}", message)], form


def test_the_association_sees_budget_figures_only(visit, people, sqlite_world):
    referral = sqlite_world.started(
        people["investigator"], people["osby"], "Osby", date(2026, 11, 2)
    )
    page = visit(people["association"]).get("/budget")
    assert page.status == 200 and page.h1 == "Budget"
    assert "1\xa0345\xa0000\xa0kr" in page.text
    assert referral.reference_code not in page.text and "Anna" not in page.text
    assert visit(people["association"]).get("/oversikt").status == 403


def test_the_slack_link_is_confirmed_after_login(visit, people, sqlite_world):
    token = sqlite_world.do(
        chat_links.start_link,
        slack_user_id="U0OSBY",
        slack_user_name="olle.osby",
        slack_team="skane-nordost",
        now=moment(date(2026, 11, 23), 11),
    )
    assert visit().get(f"/koppla/{token}").response.headers["Location"] == (
        f"/logga-in?next=/koppla/{token}"
    )
    osby = visit(people["osby"])
    page = osby.get(f"/koppla/{token}")
    assert page.h1 == "Koppla Slack till ditt konto"
    assert "Slack-användare olle.osby (U0OSBY)" in page.text
    assert "Slack-arbetsyta skane-nordost" in page.text
    done = osby.post(f"/koppla/{token}")
    assert done.status == 200 and done.h1 == "Slack är nu kopplat till ditt konto"
    linked = sqlite_world.read(lambda s: s.get(User, people["osby"].user_id).slack_user_id)
    assert linked == "U0OSBY"
    again = osby.post(f"/koppla/{token}")
    assert again.status == 400
    assert again.summary == [
        (
            None,
            "Länken har gått ut eller redan använts. Skicka kommandot koppla till boten i Slack "
            "för att få en ny.",
        )
    ]


def test_an_existing_slack_link_moves_only_when_the_person_ticks_the_box(
    visit, people, sqlite_world
):
    now = moment(date(2026, 11, 23), 11)
    osby = visit(people["osby"])
    first = sqlite_world.do(chat_links.start_link, slack_user_id="U0OSBY", now=now)
    osby.post(f"/koppla/{first}")
    second = sqlite_world.do(
        chat_links.start_link, slack_user_id="U0ATTACKER", slack_user_name="mallory", now=now
    )
    page = osby.get(f"/koppla/{second}")
    assert "Slack-användare mallory (U0ATTACKER)" in page.text
    assert "Kopplat till Slack nu U0OSBY" in page.text
    refused = osby.post(f"/koppla/{second}")
    assert refused.status == 400
    assert refused.summary == [
        (
            "#replace",
            "Ditt konto är redan kopplat till Slack-användaren U0OSBY. Kryssa i rutan om du "
            "vill ersätta den kopplingen.",
        )
    ]
    linked = sqlite_world.read(lambda s: s.get(User, people["osby"].user_id).slack_user_id)
    assert linked == "U0OSBY"
    moved = osby.post(f"/koppla/{second}", {"replace": "y"})
    assert moved.status == 200
    linked = sqlite_world.read(lambda s: s.get(User, people["osby"].user_id).slack_user_id)
    assert linked == "U0ATTACKER"


def test_each_role_lands_on_what_it_works_with(visit, sqlite_world):
    """The administrator on Användare (accounts are the work; the budget is only read), the log
    reviewer on the flagged views of the last 30 days rather than an empty search."""
    admin = visit(sqlite_world.user(Role.ADMIN))
    assert admin.get("/").response.headers["Location"] == "/anvandare"
    reviewer = visit(sqlite_world.user(Role.LOG_REVIEWER))
    landing = reviewer.get("/").response.headers["Location"]
    assert landing == "/loggkontroll?period_from=2026-10-24&period_to=2026-11-23&flagged=y"
    page = reviewer.get(landing)
    assert page.status == 200 and page.value("flagged") == "y"
    assert (
        visit(sqlite_world.user(Role.ASSOCIATION)).get("/").response.headers["Location"]
        == "/budget"
    )


def test_the_overview_shows_25_municipalities_a_page_with_the_total_over_all(
    visit, people, sqlite_world
):
    sqlite_world.do(
        lambda s: s.add_all(
            Municipality(name=f"Kommun {n:02d}", code=f"{3000 + n}", capacity=2, offer="")
            for n in range(56)
        )
    )
    coordinator = visit(people["coordinator"])
    first = coordinator.get("/oversikt")
    rows = first.soup.select(PLACES_ROWS)
    assert len(rows) == 25
    assert "Totalt: 143 lediga platser." in first.text  # 31 + 56 × 2, over every page
    assert "Sida 1 av 3, 60 kommuner totalt." in first.text
    assert first.soup.find("a", string="Nästa sida")["href"] == "/oversikt?sida=2"
    second = coordinator.get("/oversikt?sida=3")
    names = [r.th.get_text() for r in second.soup.select(PLACES_ROWS)]
    assert len(names) == 10 and names[-1] == "Östra Göinge"
    assert coordinator.get("/oversikt?sida=abc").soup.find("a", string="Nästa sida") is not None
