"""Att göra on the web: each role's worklist, every line linking to the action on the
referral's page, and the count in the menu."""

from __future__ import annotations

from datetime import date

from domain.choices import DeclineReason
from services import referrals
from tests.support.clock import moment
from tests.web.conftest import squash


def test_each_role_sees_what_needs_them(visit, people, sqlite_world):
    waiting = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 18))
    declined = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 16))
    sqlite_world.do(
        referrals.decline_request,
        actor=people["osby"],
        request_id=sqlite_world.open_request_id(declined.id),
        reason=DeclineReason.LOCATION,
        comment="",
        now=moment(date(2026, 11, 17)),
    )
    running = sqlite_world.started(
        people["investigator"], people["osby"], "Osby", date(2026, 10, 19)
    )

    osby = visit(people["osby"])
    page = osby.get("/att-gora")
    assert page.h1 == "Att göra"
    menu = page.soup.select_one("nav a[aria-current=page]")
    assert squash(menu.get_text()) == "Att göra 4"
    assert "4 saker väntar på dig." in page.text
    # The placement's first period has ended: its basis is due 10 working days after.
    basis = page.soup.find(id="task-submit_requisition").find_parent("section")
    [row] = basis.select("tbody tr")
    assert row.th.a["href"] == "/rekvisitioner/1273/2026-09"
    assert [squash(cell.get_text()) for cell in row.find_all(["th", "td"])][:2] == [
        "september–oktober 2026",
        "Försenad: skulle vara klar 13 nov. 2026 (försenad)",
    ]
    request = page.soup.find(id="task-answer_request").find_parent("section")
    [row] = request.select("tbody tr")
    assert squash(row.th.get_text()) == waiting.reference_code
    assert row.th.a["href"] == f"/anmalningar/{waiting.reference_code}#acceptera"
    assert squash(row.select("td")[0].get_text()) == (
        "Tillfrågad 18 nov. 2026: 3 arbetsdagar utan svar (försenad)"
    )
    plan = page.soup.find(id="task-assessment_plan").find_parent("section")
    assert squash(plan.select("tbody td")[0].get_text()) == (
        "Försenad: skulle vara klar 16 nov. 2026 (försenad)"
    )
    link = plan.select_one("tbody th a")["href"]
    assert link == f"/anmalningar/{running.reference_code}#action-assessment_plan"
    target = osby.get(link.split("#")[0])
    assert target.soup.find(id="action-assessment_plan") is not None  # the action is there
    assert page.soup.find(id="task-book_follow_up") is not None

    investigator = visit(people["investigator"]).get("/att-gora")
    reroute = investigator.soup.find(id="task-reroute").find_parent("section")
    assert reroute.select_one("tbody th a")["href"] == (
        f"/anmalningar/{declined.reference_code}#action-ask_another"
    )
    assert squash(reroute.select("tbody td")[1].get_text()) == "Avböjd 17 nov. 2026"

    coordinator = visit(people["coordinator"])
    everything = coordinator.get("/att-gora")
    # Others' tasks: the headline does not say they wait for the coordinator.
    assert "4 saker väntar i processen." in everything.text
    assert "väntar på dig" not in everything.text
    kristianstad = coordinator.get(
        "/att-gora", query_string={"municipality": str(sqlite_world.municipality("Kristianstad"))}
    )
    assert "Inget väntar i processen just nu." in kristianstad.text
    one_kind = coordinator.get("/att-gora", query_string={"task": "reroute"})
    assert [s["id"] for s in one_kind.soup.select("section h2")] == ["task-reroute"]
    association = visit(people["association"]).get("/att-gora")
    assert association.status == 200 and "Inget väntar på dig just nu." in association.text


def test_a_long_kind_pages_by_the_last_rows_key(visit, people, sqlite_world):
    """55 running placements: one kind pages by 50, and "Nästa sida" names the last row's
    key (its day and code), not an offset; the next page has the other 5."""
    from datetime import timedelta

    from sqlalchemy import select

    from storage.db import unit_of_work
    from storage.models import Municipality
    from tests.support.bulk import insert_placements

    with unit_of_work(sqlite_world.sessions) as session:
        osby = session.scalar(select(Municipality.id).where(Municipality.name == "Osby"))
        start = date(2026, 9, 1)
        spans = [(start + timedelta(days=n % 7), date(2027, 2, 26), False) for n in range(55)]
        insert_placements(session, osby, spans)
    coordinator = visit(people["coordinator"])
    first = coordinator.get("/att-gora?task=book_follow_up")
    assert "Sida 1 av 2" in first.text
    (link,) = [a["href"] for a in first.soup.select('a[rel="next"]')]
    assert "sida=2" in link and "sida-efter=2026-09-07.0.BULK-" in link
    second = coordinator.get(link)
    assert "Sida 2 av 2" in second.text
    assert len(second.soup.select("#task-book_follow_up ~ div tbody tr")) == 5


def test_a_kept_worklist_shows_a_change_at_once(visit, people, sqlite_world):
    """The worklist is kept while the database reads the same (services.kept_answers); the
    moment a request is answered, it is no longer on it, on every connection."""
    waiting = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 18))
    osby = visit(people["osby"])

    def requests() -> list[str]:
        section = osby.get("/att-gora").soup.find(id="task-answer_request")
        if section is None:
            return []
        return [squash(r.th.get_text()) for r in section.find_parent("section").select("tbody tr")]

    for _time in range(4):  # kept, on SQLite once per pooled connection
        assert requests() == [waiting.reference_code]
    sqlite_world.do(
        referrals.decline_request,
        actor=people["osby"],
        request_id=sqlite_world.open_request_id(waiting.id),
        reason=DeclineReason.LOCATION,
        comment="",
        now=moment(date(2026, 11, 19)),
    )
    assert [requests() for _time in range(4)] == [[]] * 4
