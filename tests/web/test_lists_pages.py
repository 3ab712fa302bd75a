"""The lists on the web: a search box, a count of all rows, and pages."""

from __future__ import annotations

from datetime import date

from storage.db import unit_of_work
from tests.support.bulk import insert_placements


def test_the_coordinator_searches_and_pages_all_referrals(visit, people, sqlite_world):
    with unit_of_work(sqlite_world.sessions) as session:
        insert_placements(
            session,
            sqlite_world.municipality("Osby"),
            [(date(2026, 3, 2), date(2026, 9, 1), True)] * 120,
        )
    mine = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    coordinator = visit(people["coordinator"])
    page = coordinator.get("/anmalningar")
    assert "121 anmälningar." in page.text
    assert "Sida 1 av 3" in page.text
    second = coordinator.get(page.soup.find("a", rel="next")["href"])
    assert "Sida 2 av 3" in second.text and len(second.soup.select("tbody tr")) == 50
    found = coordinator.get("/anmalningar", query_string={"q": mine.reference_code.lower()})
    assert "1 anmälan." in found.text
    assert [a.get_text() for a in found.soup.select("tbody th a")] == [mine.reference_code]
    wrong = coordinator.get("/anmalningar", query_string={"q": "19810923-9808"})
    assert wrong.status == 400
    assert wrong.summary == [
        (
            "#q",
            "Personnumret är inte giltigt. Skriv det som ÅÅÅÅMMDD-XXXX och kontrollera sista "
            "siffran.",
        )
    ]


def test_the_municipality_searches_its_requests(visit, people, sqlite_world):
    mine = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    osby = visit(people["osby"])
    assert "2 förfrågningar." in osby.get("/forfragningar").text
    found = osby.get("/forfragningar", query_string={"q": "19810923-9809"})
    assert "1 förfrågan." in found.text
    assert [a.get_text() for a in found.soup.select("tbody th a")] == [mine.reference_code]


def test_lists_show_the_day_an_ended_placement_ended_not_its_planned_end(
    visit, people, sqlite_world
):
    from domain.choices import Outcome
    from services import placements
    from tests.support.clock import moment

    running = sqlite_world.started(
        people["investigator"], people["osby"], "Osby", date(2026, 5, 19)
    )
    ended = sqlite_world.started(people["investigator"], people["osby"], "Osby", date(2026, 5, 19))
    sqlite_world.do(
        placements.end_placement,
        actor=people["osby"],
        referral_id=ended.id,
        ended_on=date(2026, 10, 17),
        outcome=Outcome.WORK,
        now=moment(date(2026, 10, 19)),
    )
    for who, path in (("coordinator", "/anmalningar"), ("osby", "/forfragningar")):
        page = visit(people[who]).get(path)
        table = page.soup.find("th", string="Avslutsdatum").find_parent("table")
        rows = {
            tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in table.select("tbody tr")
        }
        heads = [th.get_text(strip=True) for th in table.select("thead th")]
        column = heads.index("Avslutsdatum") - 1  # the row's own th comes first
        assert rows[ended.reference_code][column] == "17 okt. 2026", who
        assert rows[running.reference_code][column].endswith("(planerat)"), who
