"""The requisition pages as every role: who sees which basis, who may do what (the others
get 403/404 and nothing changes), the exact Swedish on the page, and the XLSX and CSV files
holding the page's figures."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from domain.calendar import CompensableDays
from domain.choices import Outcome
from domain.money import Money
from domain.requisition import Period
from locales import format_date, format_money
from services import placements, requisitions
from storage.models import Event, Requisition
from tests.support.clock import moment

BASIS = "/rekvisitioner/1273/2026-03"  # Osby, March–April 2026
ROLES = ["anonymous", "investigator", "osby", "kristianstad", "coordinator", "association", "admin"]


@pytest.fixture
def running(sqlite_world, people):
    """Two Osby placements in March–April 2026, one ended mid-period."""
    first = sqlite_world.started(people["investigator"], people["osby"], "Osby", date(2026, 3, 16))
    second = sqlite_world.started(people["investigator"], people["osby"], "Osby", date(2026, 1, 12))
    sqlite_world.do(
        placements.end_placement,
        actor=people["osby"],
        referral_id=second.id,
        ended_on=date(2026, 3, 20),
        outcome=Outcome.WORK,
        now=moment(date(2026, 3, 23)),
    )
    return first, second


def test_the_basis_page_in_swedish_with_lines_total_and_no_personal_data(visit, people, running):
    first, second = running
    page = visit(people["osby"]).get(BASIS)
    assert page.status == 200
    assert page.h1 == "Rekvisitionsunderlag mars–april 2026"
    assert "Osby (1273)" in page.text
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        for row in page.soup.select("table tbody tr")
    ]
    assert sorted(rows) == sorted(
        [
            [
                first.reference_code,
                "16 mars 2026",
                "30 apr. 2026",
                "32",
                "200\xa0kr",
                "6\xa0400\xa0kr",
            ],
            [
                second.reference_code,
                "2 mars 2026",
                "20 mars 2026",
                "15",
                "200\xa0kr",
                "3\xa0000\xa0kr",
            ],
        ]
    )
    assert "Att betala: 9\xa0400\xa0kr" in page.text
    assert "Konto/kostnadsställe Möjlighetsmodellen Skåne Nordost, konto 4540" in page.text
    assert "Anna" not in page.text and "19810923" not in page.text
    assert page.soup.find("button", string="Skicka in underlaget för mars–april 2026")


def expected_get(role: str) -> dict[str, int]:
    sees_all = role in {"coordinator", "association", "admin"}
    accrual_readers = {"coordinator", "association", "admin"}
    return {
        "/rekvisitioner": 200 if sees_all or role in {"osby", "kristianstad"} else 403,
        BASIS: 200 if sees_all or role == "osby" else 404 if role == "kristianstad" else 403,
        BASIS + "/underlag.xlsx": 200
        if sees_all or role == "osby"
        else 404
        if role == "kristianstad"
        else 403,
        BASIS + "/underlag.csv": 200
        if sees_all or role == "osby"
        else 404
        if role == "kristianstad"
        else 403,
        "/rekvisitioner/9999/2026-03": 404 if role != "investigator" else 403,
        "/rekvisitioner/1273/2031-01": 404 if role != "investigator" else 403,
        "/upplupna-kostnader": 200 if role in accrual_readers else 403,
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_requisition_page_as_every_role(visit, people, running, role):
    visitor = visit(None if role == "anonymous" else people[role])
    for path, status in expected_get(role).items():
        got = visitor.client.get(path).status_code  # the files are not pages to read
        if role == "anonymous":
            assert got == 302, path
            continue
        assert got == status, (role, path)


# (path, roles whose action it is; it runs through with the data given)
STEPS = [
    ("/skicka-in", {"osby"}, {}),
    ("/returnera", {"coordinator"}, {"reason": "Fel konto."}),
    ("/skicka-in", {"osby"}, {}),
    ("/attestera", {"coordinator"}, {}),
    ("/betald", {"association"}, {"paid_on": "2026-11-23"}),
]


def _standing_id(world) -> int | None:
    return world.read(
        lambda s: s.scalar(
            select(Requisition.id)
            .where(Requisition.state != "returned")
            .order_by(Requisition.id.desc())
        )
    )


def _events(world) -> int:
    return world.read(lambda s: s.scalar(select(func.count()).select_from(Event)))


@pytest.mark.parametrize("role", ROLES)
def test_every_requisition_action_as_every_role(visit, people, running, sqlite_world, role):
    """Only Osby's contacts submit, only the coordinator attests or returns, only the
    association records payment; anyone else gets 403 or 404 and nothing changes."""
    visitor = visit(None if role == "anonymous" else people[role])
    rightful = {name: visit(people[name]) for name in ("osby", "coordinator", "association")}
    for suffix, allowed, data in STEPS:
        data = {**data, "requisition_id": str(_standing_id(sqlite_world) or "")}
        if role in allowed:
            assert visitor.post(BASIS + suffix, data).status == 302, (role, suffix)
            continue
        before = _events(sqlite_world)
        page = visitor.post(BASIS + suffix, data)
        expected = 302 if role == "anonymous" else 403 if role == "investigator" else 404
        assert page.status == expected, (role, suffix)
        assert _events(sqlite_world) == before
        owner = next(iter(allowed))
        assert rightful[owner].post(BASIS + suffix, data).status == 302, suffix
    paid = visit(people["admin"]).get(BASIS)
    assert (
        "Utbetalt" in paid.text
        and paid.soup.find("form", action=lambda a: a and "betald" in a) is None
    )


def test_a_period_that_has_not_started_says_so(visit, people, running):
    page = visit(people["osby"]).get("/rekvisitioner/1273/2027-05")
    assert page.status == 404
    assert "Perioden 1 maj 2027 – 30 juni 2027 har inte börjat än." in page.text


def test_bad_input_gets_a_swedish_error_and_changes_nothing(visit, people, running, sqlite_world):
    osby, coordinator, association = (
        visit(people["osby"]),
        visit(people["coordinator"]),
        visit(people["association"]),
    )
    running_period = osby.post("/rekvisitioner/1273/2026-11/skicka-in", {})
    assert running_period.status == 400
    assert running_period.summary == [
        (
            None,
            "Perioden 1 nov. 2026 – 31 dec. 2026 är inte slut; underlaget kan skickas in från "
            "1 jan. 2027.",
        )
    ]
    assert osby.post(BASIS + "/skicka-in", {}).status == 302
    again = osby.post(BASIS + "/skicka-in", {})
    assert again.status == 400
    assert again.summary[0][1] == (
        "Rekvisitionsunderlaget för 1 mars 2026 – 30 apr. 2026 är redan inskickat; en period "
        "kan skickas in en gång."
    )
    tampered = coordinator.post(BASIS + "/attestera", {"requisition_id": "4711"})
    assert tampered.status == 400
    assert tampered.summary[0][1] == (
        "Underlaget har just ändrats av någon annan. Ladda om sidan och försök igen."
    )
    not_a_number = coordinator.post(BASIS + "/attestera", {"requisition_id": "x"})
    assert not_a_number.status == 400
    assert (
        coordinator.post(
            BASIS + "/attestera", {"requisition_id": _standing_id(sqlite_world)}
        ).status
        == 302
    )
    future = association.post(
        BASIS + "/betald", {"requisition_id": _standing_id(sqlite_world), "paid_on": "2026-11-24"}
    )
    assert future.status == 400
    assert future.error("paid_on") == "Betalningsdagen kan inte ligga i framtiden."
    no_reason = coordinator.post(
        BASIS + "/returnera", {"requisition_id": _standing_id(sqlite_world)}
    )
    assert no_reason.status == 400
    assert no_reason.summary == [
        (None, "Bara ett inskickat underlag som väntar på attest kan returneras.")
    ]
    assert "Attesterat, väntar på utbetalning" in association.get(BASIS).text


def test_the_xlsx_and_csv_hold_the_pages_figures(visit, people, running):
    osby = visit(people["osby"])
    page = osby.get(BASIS)
    shown = {
        row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.find_all("td")]
        for row in page.soup.select("table tbody tr")
    }
    response = osby.client.get(BASIS + "/underlag.xlsx")
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        'filename="rekvisitionsunderlag-1273-2026-03.xlsx"'
        in response.headers["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = list(sheet.iter_rows(values_only=True))
    header = cells.index(
        ("Referenskod", "Första dag", "Sista dag", "Dagar", "Dagersättning", "Belopp")
    )
    lines = [row for row in cells[header + 1 :] if row[0] in shown]
    assert len(lines) == 2
    for code, first, last, days, rate, amount in lines:
        assert isinstance(days, int)
        assert [format_date(first.date()), format_date(last.date())] == shown[code][:2]
        assert str(days) == shown[code][2]
        assert format_money_from(amount) == shown[code][4]
        assert float(rate) * days == float(amount)
    total_row = cells[header + 3]
    assert total_row[0] == "Summa" and total_row[5] == f"=SUM(F{header + 2}:F{header + 3})"
    assert sum(float(row[5]) for row in lines) == 9400.0
    text = osby.client.get(BASIS + "/underlag.csv").data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert ["Summa", "", "", "47", "", "9400,00"] in rows
    first, _second = running
    assert [first.reference_code, "2026-03-16", "2026-04-30", "32", "200,00", "6400,00"] in rows


def format_money_from(amount) -> str:
    return format_money(Money.kronor(Decimal(str(amount))))


def test_a_correction_line_after_a_backdated_end_on_the_next_basis_page(
    visit, people, sqlite_world, running
):
    first, _second = running
    sqlite_world.do(
        lambda s: requisitions.submit(
            s,
            actor=people["osby"],
            municipality_id=sqlite_world.municipality("Osby"),
            period=Period(date(2026, 3, 1), date(2026, 4, 30)),
            now=moment(date(2026, 5, 4)),
        )
    )
    sqlite_world.do(
        placements.end_placement,
        actor=people["osby"],
        referral_id=first.id,
        ended_on=date(2026, 4, 10),
        outcome=Outcome.STUDIES,
        now=moment(date(2026, 11, 20)),
    )
    page = visit(people["osby"]).get("/rekvisitioner/1273/2026-05")
    (row,) = page.soup.select("h2 + p + .table-wrap tbody tr")
    cells = [c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])]
    assert cells == [
        first.reference_code,
        "mars–april 2026",
        "32 dagar rekvirerades; datumen ger nu 18.",
        "-14",
        format_money(Money.kronor(-2800)),
    ]
    assert f"Att betala: {format_money(Money.kronor(-2800))}" in page.text


def test_the_association_sees_the_accruals_to_book_at_a_chosen_date(
    visit, people, running, program
):
    page = visit(people["association"]).get("/upplupna-kostnader?datum=2026-06-30")
    assert page.h1 == "Upplupna kostnader"
    rows = [
        [c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])]
        for row in page.soup.select("table tbody tr")
    ]
    days = CompensableDays.for_program(program)
    january = days.count(date(2026, 1, 12), date(2026, 2, 28))  # the second placement
    may = days.count(date(2026, 5, 1), date(2026, 6, 30))  # the first, all of May–June
    amounts = [Money.kronor(200) * january, Money.kronor(9400), Money.kronor(200) * may]
    assert rows == [
        ["Osby", "januari–februari 2026", "Utkast", format_money(amounts[0])],
        ["Osby", "mars–april 2026", "Utkast", format_money(amounts[1])],
        ["Osby", "maj–juni 2026", "Utkast", format_money(amounts[2])],
    ]
    total = format_money(sum(amounts, Money(0)))
    assert f"Att boka per 30 juni 2026: {total}" in page.text
    wrong = visit(people["association"]).get("/upplupna-kostnader?datum=30/6")
    assert wrong.status == 200 and wrong.error("datum") == (
        "30/6 är inget datum skrivet ÅÅÅÅ-MM-DD, till exempel 2026-11-23."
    )
