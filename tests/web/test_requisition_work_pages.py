"""The month-end walk as the three roles (issue 23), in Swedish: the municipality's worklist
shows the ended period to submit; then the coordinator's, then the association's; after
payment the basis says Utbetalt and names everyone; `/rekvisitioner` across periods with
"waiting for me" first; a rate change asks first; dates people can enter."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from domain.requisition import period_containing
from services import requisitions
from storage.models import ProgramYearRow, Requisition, User
from tests.support.clock import moment

BASIS = "/rekvisitioner/1273/2026-09"  # Osby, September–October 2026


def squash(text: str) -> str:
    return " ".join(text.split())


def rows_of(page) -> list[list[str]]:
    return [
        [squash(cell.get_text(" ")) for cell in row.find_all(["th", "td"])]
        for row in page.soup.select("table tbody tr")
    ]


def name_of(world, actor) -> str:
    return world.read(lambda s: s.get(User, actor.user_id).name)


def test_the_month_end_walk_as_the_three_roles(visit, people, sqlite_world):
    world = sqlite_world
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 9, 7))
    osby, coordinator = visit(people["osby"]), visit(people["coordinator"])
    association = visit(people["association"])

    to_do = osby.get("/att-gora")
    section = to_do.soup.find(id="task-submit_requisition").find_parent("section")
    assert squash(section.h2.get_text()) == "Rekvisitionsunderlag att skicka in (1)"
    mine = osby.get("/rekvisitioner")
    assert "1 rekvisitionsunderlag väntar på dig." in mine.text
    [row] = rows_of(mine)
    assert row[:2] == ["september–oktober 2026", "Utkast"]

    assert osby.post(BASIS + "/skicka-in").status == 302
    assert "Inget rekvisitionsunderlag väntar på dig just nu." in osby.get("/rekvisitioner").text
    waiting = coordinator.get("/att-gora", query_string={"task": "attest_requisition"})
    [row] = rows_of(waiting)
    assert row[:3] == [
        "september–oktober 2026",
        "Osby",
        "Inskickat 23 nov. 2026: har väntat 0 arbetsdagar",
    ]
    requisition_id = world.read(lambda s: s.scalar(select(Requisition.id)))

    # Returned: Returnerat and the reason, in the list and on top of the basis.
    back = coordinator.post(
        BASIS + "/returnera", {"requisition_id": requisition_id, "reason": "Fel antal dagar."}
    )
    assert back.status == 302
    [row] = rows_of(osby.get("/rekvisitioner"))
    assert row[1] == "Returnerat Skäl: Fel antal dagar."
    page = osby.get(BASIS)
    assert page.soup.select_one(".notice").get_text(strip=True) == (
        "Returnerat av samordnaren: Fel antal dagar."
    )
    assert osby.post(BASIS + "/skicka-in").status == 302
    requisition_id = world.read(
        lambda s: s.scalar(select(Requisition.id).where(Requisition.state == "submitted"))
    )
    assert coordinator.post(BASIS + "/attestera", {"requisition_id": requisition_id}).status == 302

    start = association.get("/budget")
    assert start.soup.select_one(".notice a").get_text() == (
        "1 rekvisitionsunderlag väntar på utbetalning."
    )
    to_pay = association.get("/att-gora")
    assert squash(to_pay.soup.select_one("nav a[aria-current=page]").get_text()) == "Att göra 1"
    page = association.get(BASIS)
    field = page.soup.find(id="paid_on")
    assert field["value"] == "2026-11-23"  # today
    assert squash(page.soup.find(id="paid_on-hint").get_text()) == (
        "Vilken dag som helst från attesten, 23 nov. 2026, till i dag, 23 nov. 2026."
    )
    done = association.post(
        BASIS + "/betald", {"requisition_id": requisition_id, "paid_on": "2026-11-23"}
    )
    assert done.status == 302

    paid = osby.get(BASIS)
    total = paid.soup.select_one("p.lead").get_text(strip=True)
    assert total.startswith("Utbetalt 23 nov. 2026: ")
    history = [squash(li.get_text(" ")) for li in paid.soup.select("ul.history li")]
    contact, fk, payer = (name_of(world, people[k]) for k in ("osby", "coordinator", "association"))
    expected = [
        f"Inskickat av {contact}.",
        f"Returnerat av {fk}: Fel antal dagar.",
        f"Inskickat av {contact}.",
        f"Attesterat av {fk}.",
        f"Utbetalt 23 nov. 2026, registrerat av {payer}.",
    ]
    assert len(history) == len(expected)
    assert all(line.startswith("23 nov. 2026 ") for line in history)  # the day and the time
    assert all(line.endswith(text) for line, text in zip(history, expected, strict=True))
    sheet = load_workbook(io.BytesIO(osby.client.get(BASIS + "/underlag.xlsx").data)).active
    cells = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert cells["Attesterat"][0].startswith(fk + ", ")
    assert any(str(label).startswith("Utbetalt 23 nov. 2026") for label in cells)
    assert "Att betala" not in cells
    code = next(r for r in sheet.iter_rows() if r[0].value == "Kommunkod")[1]
    assert (code.value, code.number_format) == ("1273", "@")
    assert sheet.freeze_panes is not None and sheet.freeze_panes.startswith("A")


def test_the_list_across_periods_filters_by_state_municipality_and_year(
    visit, people, sqlite_world
):
    world = sqlite_world
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 1, 12))
    for first in (date(2026, 3, 1), date(2026, 5, 1)):
        period = period_containing(first, 2)
        world.do(
            requisitions.submit,
            actor=people["osby"],
            municipality_id=world.municipality("Osby"),
            period=period,
            now=moment(date(2026, 7, 1)),
        )
    coordinator = visit(people["coordinator"])
    mine = coordinator.get("/rekvisitioner")
    assert "2 rekvisitionsunderlag väntar på dig." in mine.text
    assert [r[:3] for r in rows_of(mine)] == [
        ["maj–juni 2026", "Osby", "1273"],
        ["mars–april 2026", "Osby", "1273"],
    ]
    assert all(r[4].isdigit() for r in rows_of(mine))  # days on every row
    drafts = coordinator.get(
        "/rekvisitioner",
        query_string={"vad": "draft", "kommun": str(world.municipality("Osby")), "ar": "2026"},
    )
    assert [r[0] for r in rows_of(drafts)] == [
        "november–december 2026",
        "september–oktober 2026",
        "juli–augusti 2026",
        "januari–februari 2026",
    ]
    none_2027 = coordinator.get("/rekvisitioner", query_string={"vad": "alla", "ar": "2027"})
    assert "0 rekvisitionsunderlag." in none_2027.text
    wrong = coordinator.get("/rekvisitioner", query_string={"vad": "ingenting"})
    assert wrong.status == 400 and wrong.summary == [("#vad", "Välj ett av alternativen i listan.")]


def test_changing_a_confirmed_rate_asks_first_and_is_recorded(visit, people, sqlite_world):
    coordinator = visit(people["coordinator"])
    page = coordinator.get("/dagersattning")
    selected = page.soup.select_one("#year option[selected]")
    assert selected.get_text() == "2027"  # never the confirmed 2026
    asked = coordinator.post(
        "/dagersattning", {"year": "2026", "rate": "206,40", "reason": "Förbundets beslut 1 juli."}
    )
    assert asked.status == 200
    assert squash(asked.soup.select_one(".card h2").get_text()) == (
        "Ändra dagersättningen för 2026 från 200 kr till 206,40 kr?"  # squashed spaces
    )
    rate = sqlite_world.read(
        lambda s: s.scalars(select(ProgramYearRow).where(ProgramYearRow.year == 2026)).one()
    )
    assert rate.daily_rate_ore == 20000  # nothing changed yet
    done = coordinator.post(
        "/dagersattning",
        {
            "year": "2026",
            "rate": "206,40",
            "reason": "Förbundets beslut 1 juli.",
            "expected": "200",
            "confirmed": "1",
        },
    )
    assert done.status == 302
    after = coordinator.get("/dagersattning")
    assert after.notices == ["Dagersättningen för 2026 är nu 206,40\xa0kr."]
    name = name_of(sqlite_world, people["coordinator"])
    [decision] = [squash(li.get_text(" ")) for li in after.soup.select("ul.history li")]
    assert decision.endswith(
        f"{name} ändrade dagersättningen för 2026 från 200 kr till 206,40 kr: "
        "Förbundets beslut 1 juli."
    )
    # The same answer again (a second tab): someone already changed it; nothing changes.
    again = coordinator.post(
        "/dagersattning",
        {
            "year": "2026",
            "rate": "210",
            "reason": "Annat.",
            "expected": "200",
            "confirmed": "1",
        },
    )
    assert again.status == 400
    assert again.summary == [
        (
            None,
            "Dagersättningen för 2026 ändrades av någon annan nyss. Titta på den igen innan du "
            "ändrar den.",
        )
    ]


def test_the_accruals_date_defaults_to_today_and_lists_attested_not_paid(
    visit, people, sqlite_world
):
    world = sqlite_world
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 9, 7))
    period = period_containing(date(2026, 9, 1), 2)
    world.do(
        requisitions.submit,
        actor=people["osby"],
        municipality_id=world.municipality("Osby"),
        period=period,
        now=moment(date(2026, 11, 3)),
    )
    requisition_id = world.read(lambda s: s.scalar(select(Requisition.id)))
    world.do(
        requisitions.attest,
        actor=people["coordinator"],
        municipality_id=world.municipality("Osby"),
        period=period,
        requisition_id=requisition_id,
        now=moment(date(2026, 11, 4)),
    )
    page = visit(people["association"]).get("/upplupna-kostnader")
    assert page.soup.find(id="datum")["value"] == "2026-11-23"
    [row] = rows_of(page)
    assert row[:3] == ["Osby", "september–oktober 2026", "Attesterat, väntar på utbetalning"]
