"""The lists on the web: a search box, a count of all rows, and pages."""

from __future__ import annotations

import sqlite3
from datetime import date

from sqlalchemy import event

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
    last_on_first = page.soup.select("tbody th a")[-1].get_text()
    link = page.soup.find("a", rel="next")["href"]
    assert link == f"/anmalningar?sida=2&sida-efter={last_on_first}"  # a key, not an offset
    second = coordinator.get(link)
    assert "Sida 2 av 3" in second.text and len(second.soup.select("tbody tr")) == 50
    first_on_second = second.soup.select("tbody th a")[0].get_text()
    back = coordinator.get(second.soup.find("a", rel="prev")["href"])
    assert (
        second.soup.find("a", rel="prev")["href"]
        == f"/anmalningar?sida=1&sida-fore={first_on_second}"
    )
    assert back.soup.select("tbody th a")[-1].get_text() == last_on_first
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


def test_a_national_list_is_counted_to_its_first_thousand(visit, people, sqlite_world):
    """Over a thousand rows: "over 1 000" and the page number without a last page (counting
    every row would be the one part of the page that grows with the history); one fewer is
    counted exactly."""
    osby = sqlite_world.municipality("Osby")
    with unit_of_work(sqlite_world.sessions) as session:
        insert_placements(session, osby, [(date(2026, 3, 2), date(2026, 9, 1), True)] * 1000)
    coordinator = visit(people["coordinator"])
    page = coordinator.get("/anmalningar")
    assert "1\xa0000 anmälningar." in page.text and "Över" not in page.text
    assert "Sida 1 av 20" in page.text
    with unit_of_work(sqlite_world.sessions) as session:
        insert_placements(session, osby, [(date(2026, 3, 2), date(2026, 9, 1), True)])
    page = coordinator.get("/anmalningar")
    assert "Över 1\xa0000 anmälningar." in page.text
    assert "Sida 1" in page.text and "Sida 1 av" not in page.text
    second = coordinator.get(page.soup.find("a", rel="next")["href"])
    assert "Sida 2" in second.text and second.soup.find("a", rel="prev")
    assert len(second.soup.select("tbody tr")) == 50
    last = coordinator.get("/anmalningar?sida=21")  # typed by hand: 1 001 rows end here
    assert [len(last.soup.select("tbody tr")), last.soup.find("a", rel="next")] == [1, None]
    # Ended without a final report: each still waits for Osby, all 1 001 of them.
    inbox = visit(people["osby"]).get("/forfragningar")
    assert "Över 1\xa0000 träningsplatser." in inbox.text and "Sida 1" in inbox.text


def test_the_municipality_searches_its_requests(visit, people, sqlite_world):
    mine = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    osby = visit(people["osby"])
    assert "2 förfrågningar." in osby.get("/forfragningar").text
    found = osby.get("/forfragningar", query_string={"q": "19810923-9809"})
    assert "1 förfrågan." in found.text
    assert [a.get_text() for a in found.soup.select("tbody th a")] == [mine.reference_code]


def test_kept_lists_show_a_change_at_once(visit, people, sqlite_world):
    """The coordinator's list and a municipality's requests, unsearched, are kept while the
    database reads the same (services.kept_answers): the moment a request is declined, the
    municipality's list no longer has it and the coordinator's says so, on every connection."""
    from domain.choices import DeclineReason
    from services import referrals
    from tests.support.clock import moment

    asked = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    coordinator, osby = visit(people["coordinator"]), visit(people["osby"])

    def seen() -> tuple[list[str], str]:
        inbox = osby.get("/forfragningar").soup.select("tbody th a")
        row = next(
            tr
            for tr in coordinator.get("/anmalningar").soup.select("tbody tr")
            if tr.th.get_text(strip=True) == asked.reference_code
        )
        return [a.get_text() for a in inbox], row.select("td")[0].get_text(strip=True)

    for _time in range(4):  # kept, on SQLite once per pooled connection
        assert seen() == ([asked.reference_code], "Väntar på svar")
    sqlite_world.do(
        referrals.decline_request,
        actor=people["osby"],
        request_id=sqlite_world.open_request_id(asked.id),
        reason=DeclineReason.LOCATION,
        comment="",
        now=moment(date(2026, 11, 21)),
    )
    assert [seen() for _time in range(4)] == [([], "Avböjd")] * 4


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


def test_lists_and_a_code_search_are_read_while_another_writer_holds_the_lock(
    visit, people, sqlite_world
):
    """A list only reads: on SQLite it does not queue for the one write lock (BEGIN
    IMMEDIATE), so a writer busy elsewhere does not hold up a search by code."""
    mine = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    coordinator, osby = visit(people["coordinator"]), visit(people["osby"])
    coordinator.get("/anmalningar"), osby.get("/forfragningar")  # sessions touched already
    writer = sqlite3.connect(sqlite_world.sessions.kw["bind"].url.database, timeout=0)
    writer.execute("BEGIN IMMEDIATE")
    try:
        found = coordinator.get("/anmalningar", query_string={"q": mine.reference_code})
        asked = osby.get("/forfragningar", query_string={"q": mine.reference_code})
    finally:
        writer.rollback()
        writer.close()
    assert [a.get_text() for a in found.soup.select("tbody th a")] == [mine.reference_code]
    assert [a.get_text() for a in asked.soup.select("tbody th a")] == [mine.reference_code]


def test_the_worklist_and_its_count_in_the_menu_take_the_write_lock_only_to_save_the_session(
    visit, people, sqlite_world
):
    """On SQLite a unit of work that may write begins with BEGIN IMMEDIATE, the database's
    one write lock: counting and listing the worklist only read, so of a first visit (count
    in the menu, list, the count kept in the session) only saving the session takes it."""
    sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    investigator = visit(people["investigator"])
    engine = investigator.app.extensions["mm.sessions"].kw["bind"]
    begun: list[str] = []

    def begins(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("BEGIN"):
            begun.append(statement)

    event.listen(engine, "before_cursor_execute", begins)
    try:
        page = investigator.get("/att-gora?sida=1")
        first = begun.count("BEGIN IMMEDIATE")
        again = investigator.get("/att-gora")  # the same count, kept: nothing to save
    finally:
        event.remove(engine, "before_cursor_execute", begins)
    assert page.status == again.status == 200
    assert (first, begun.count("BEGIN IMMEDIATE")) == (1, 1), begun
