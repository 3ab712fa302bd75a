"""The follow-up pages as every role, in Swedish, with their XLSX holding the page's figures;
no report carries a name or personnummer."""

from __future__ import annotations

import io
from datetime import date
from itertools import pairwise

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from domain.choices import Outcome
from locales import format_money
from services import placements, reports
from storage.db import unit_of_work
from storage.models import CostOutcome, Event, FinsamReport, Municipality
from tests.support.clock import moment

ROLES = ["anonymous", "investigator", "osby", "kristianstad", "coordinator", "association", "admin"]
PERSONAL = ("Anna Andersson", "19810923", "198109239809", "070-174 06 05")


@pytest.fixture
def running(sqlite_world, people):
    first = sqlite_world.started(people["investigator"], people["osby"], "Osby", date(2026, 3, 2))
    second = sqlite_world.started(people["investigator"], people["osby"], "Osby", date(2026, 5, 4))
    sqlite_world.do(
        placements.end_placement,
        actor=people["osby"],
        referral_id=second.id,
        ended_on=date(2026, 6, 12),
        outcome=Outcome.WORK,
        now=moment(date(2026, 6, 15)),
    )
    return first, second


def expected(role: str) -> dict[str, int]:
    reader = role in {"coordinator", "association", "admin"}
    contact = role in {"osby", "kristianstad"}
    return {
        "/uppfoljning": 200 if reader else 302 if contact else 403,
        "/uppfoljning/budget?ar=2026&till=2026-06-30": 200 if reader else 403,
        "/uppfoljning/budget.xlsx?ar=2026&till=2026-06-30": 200 if reader else 403,
        "/uppfoljning/indikatorer": 200 if reader or contact else 403,
        "/uppfoljning/finsam?ar=2026": 200 if reader else 403,
        "/uppfoljning/samverkansgrupp?fran=2026-04-01&till=2026-06-30": 200 if reader else 403,
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_follow_up_page_as_every_role_without_personal_data(visit, people, running, role):
    visitor = visit(None if role == "anonymous" else people[role])
    for path, status in expected(role).items():
        response = visitor.client.get(path)
        if role == "anonymous":
            assert response.status_code == 302, path
            continue
        assert response.status_code == status, (role, path)
        if status == 200 and not path.endswith(".xlsx") and "xlsx" not in path:
            shown = response.get_data(as_text=True)
            assert not any(p in shown for p in PERSONAL), (role, path)


def test_the_budget_follow_up_in_swedish_with_the_budgets_accrued_figure(
    visit, people, running, sqlite_world
):
    page = visit(people["association"]).get("/uppfoljning/budget?ar=2026&till=2026-06-30")
    assert page.h1 == "Budgetuppföljning 2026"
    accrued = sqlite_world.read(
        lambda s: reports.year_budget(s, year=2026, today=date(2026, 6, 30))
    ).accrued
    row = page.soup.find("th", string="Ersättning till kommunerna").find_parent("tr")
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells[:3] == ["1\xa0345\xa0000\xa0kr", "672\xa0500\xa0kr", format_money(accrued)]
    assert "Prognosen för 2026 är " in page.text and " under budget." in page.text
    chart = page.soup.find("svg", attrs={"aria-labelledby": "month-chart-title month-chart-desc"})
    assert chart is not None and len(chart.find_all("polyline")) == 3
    # Months by name along the bottom, a y-axis in tkr from 0, and the lines' labels at
    # least a line apart (Utfall and Prognos used to sit on each other).
    months = [t.get_text() for t in chart.select("text.chart-month")]
    assert months == [
        *("jan.", "feb.", "mars", "apr.", "maj", "juni"),
        *("juli", "aug.", "sep.", "okt.", "nov.", "dec."),
    ]
    ticks = [t.get_text() for t in chart.select("text.chart-tick")]
    assert ticks[0] == "0" and ticks[-1] == "1\xa0500" and chart.find("text", string="tkr")
    labels = chart.select("text.chart-value")
    assert sorted(t.get_text().split("\xa0")[0].split(" ")[0] for t in labels) == [
        "Budget",
        "Prognos",
        "Utfall",
    ]
    heights = sorted(int(t["y"]) for t in labels)
    assert all(b - a >= 20 for a, b in pairwise(heights))
    workbook = load_workbook(
        io.BytesIO(
            visit(people["association"])
            .client.get("/uppfoljning/budget.xlsx?ar=2026&till=2026-06-30")
            .data
        )
    )
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    placement = next(r for r in rows if r[0] == "Ersättning till kommunerna")
    assert placement[1:4] == (1345000, 672500, float(accrued.as_kronor))
    number = rows.index(placement) + 1
    assert placement[4] == f"=D{number}-C{number}"
    total = next(r for r in rows if r[0] == "Summa")
    assert str(total[1]).startswith("=SUM(B") and str(total[3]).startswith("=SUM(D")


def test_the_coordinator_enters_another_cost_lines_utfall(visit, people, running, sqlite_world):
    coordinator = visit(people["coordinator"])
    saved = coordinator.post(
        "/uppfoljning/budget/utfall?ar=2026&till=2026-06-30",
        {"label": "Övrig administration", "through": "2026-06-30", "amount": "31 000"},
    )
    assert saved.status == 302
    page = coordinator.get("/uppfoljning/budget?ar=2026&till=2026-06-30")
    assert page.notices == [
        "Utfallet för Övrig administration till och med 30 juni 2026 är sparat."
    ]
    row = page.soup.find("th", string="Övrig administration").find_parent("tr")
    assert [td.get_text(" ", strip=True) for td in row.find_all("td")][2:5] == [
        "31\xa0000\xa0kr",
        "6\xa0000\xa0kr",
        "24,0\xa0%",
    ]
    wrong = coordinator.post(
        "/uppfoljning/budget/utfall?ar=2026&till=2026-06-30",
        {"label": "Övrig administration", "through": "2026-12-24", "amount": "tusen"},
    )
    assert wrong.status == 400
    assert wrong.error("amount") == "tusen är inget belopp i kronor, till exempel 206,40."
    assert (
        visit(people["association"])
        .post("/uppfoljning/budget/utfall", {"label": "Övrig administration"})
        .status
        == 403
    )
    assert sqlite_world.read(lambda s: s.scalar(select(func.count()).select_from(CostOutcome))) == 1


def test_indicators_per_municipality_and_a_contact_sees_only_their_own(visit, people, running):
    page = visit(people["coordinator"]).get(
        "/uppfoljning/indikatorer?fran=2026-01-01&till=2026-11-23"
    )
    assert page.h1 == "Målindikatorer 1 jan. 2026 – 23 nov. 2026"
    goals = page.soup.find("caption", string="Mål, uppnått av räknade").find_parent("table")
    labels = [th.get_text(strip=True) for th in goals.select("tbody th[scope=rowgroup]")]
    assert labels == ["Bromölla", "Kristianstad", "Osby", "Östra Göinge", "Alla kommuner"]
    # One line per goal with Uppnått Ja/Nej, as on Översikt and in the report.
    heads = [th.get_text(strip=True) for th in goals.select("thead th")]
    assert heads == ["Kommun", "Mål", "Resultat", "Målvärde", "Uppnått"]
    assert len(goals.select("tbody tr")) == 5 * 4
    reached = {tr.select("td")[-1].get_text(strip=True) for tr in goals.select("tbody tr")}
    assert reached <= {"Ja", "Nej", "Inte mätt än"} and len(reached) > 1
    outcome_row = page.soup.find("caption", string="Avslutsorsaker för avslutade träningsplatser")
    osby = next(
        r for r in outcome_row.find_parent("table").select("tbody tr") if r.th.get_text() == "Osby"
    )
    assert osby.find_all("td")[0].get_text() == "1"  # Arbete
    own = visit(people["kristianstad"]).get("/uppfoljning/indikatorer")
    assert [
        th.get_text(strip=True)
        for th in own.soup.select("table")[0].select("tbody th[scope=rowgroup]")
    ] == ["Kristianstad"]
    other = visit(people["kristianstad"]).get("/uppfoljning/indikatorer?kommun=1")
    assert (
        other.status == 200 and "Du kan bara följa upp din egen kommuns indikatorer." in other.text
    )


def test_finsam_is_reported_once_by_the_coordinator(visit, people, running, sqlite_world):
    coordinator = visit(people["coordinator"])
    page = coordinator.get("/uppfoljning/finsam?ar=2026&halvar=1")
    rows = {
        r.th.get_text(strip=True): [td.get_text(strip=True) for td in r.find_all("td")]
        for r in page.soup.select("table tbody tr")
    }
    # Anna Andersson's personnummer (19810923-9809) is a woman's: both placements are hers.
    assert rows["Aktiva under perioden"] == ["2", "0", "0", "2"]
    assert rows["Avslutade under perioden"] == ["1", "0", "0", "1"]
    assert (
        visit(people["association"])
        .post("/uppfoljning/finsam/rapportera", {"ar": "2026", "halvar": "1"})
        .status
        == 403
    )
    assert (
        coordinator.post("/uppfoljning/finsam/rapportera", {"ar": "2026", "halvar": "1"}).status
        == 302
    )
    again = coordinator.post("/uppfoljning/finsam/rapportera", {"ar": "2026", "halvar": "1"})
    assert again.status == 400
    assert again.summary[0][1].startswith(
        "Finsamsiffrorna för den här perioden rapporterades redan den "
    )
    assert (
        sqlite_world.read(lambda s: s.scalar(select(func.count()).select_from(FinsamReport))) == 1
    )
    assert (
        sqlite_world.read(
            lambda s: s.scalar(
                select(func.count()).select_from(Event).where(Event.kind == "finsam_reported")
            )
        )
        == 1
    )


def test_the_full_year_says_when_it_can_be_reported(visit, people, running):
    """No button before the period has ended, and the page says from when there will be."""
    coordinator = visit(people["coordinator"])
    year = coordinator.get("/uppfoljning/finsam?ar=2026")
    assert "Beräknat nu, inte rapporterat än." in year.text
    assert "Siffrorna kan rapporteras från 1 jan. 2027, när perioden har tagit slut." in year.text
    assert year.soup.find("button", string="Spara siffrorna som rapporterade") is None
    half = coordinator.get("/uppfoljning/finsam?ar=2026&halvar=1")
    assert half.soup.find("button", string="Spara siffrorna som rapporterade") is not None
    assert "kan rapporteras från" not in half.text
    association = visit(people["association"]).get("/uppfoljning/finsam?ar=2026&halvar=1")
    assert "Samordnaren rapporterar dem när perioden har tagit slut." in association.text


def test_the_steering_report_as_xlsx_holds_the_pages_figures(visit, people, running):
    association = visit(people["association"])
    page = association.get("/uppfoljning/samverkansgrupp?fran=2026-04-01&till=2026-06-30")
    assert page.h1 == "Rapport till samverkansgruppen, 1 apr. 2026 – 30 juni 2026"
    table = page.soup.find("caption", string="Deltagare per kommun").find_parent("table")
    osby = [td.get_text() for td in table.find(string="Osby").find_parent("tr").find_all("td")]
    book = load_workbook(
        io.BytesIO(
            association.client.get(
                "/uppfoljning/samverkansgrupp?fran=2026-04-01&till=2026-06-30&format=xlsx"
            ).data
        )
    )
    assert book.sheetnames == ["Samverkansgrupp", "Målindikatorer", "Budgetuppföljning"]
    rows = list(book["Samverkansgrupp"].iter_rows(values_only=True))
    assert next(r for r in rows if r[0] == "Osby")[1:4] == tuple(int(v) for v in osby)


def test_a_municipality_over_capacity_is_never_told_a_negative_number(
    visit, people, running, sqlite_world
):
    with unit_of_work(sqlite_world.sessions) as session:  # Osby's one running placement: over
        session.execute(update(Municipality).where(Municipality.name == "Osby").values(capacity=0))
    association = visit(people["association"])
    path = "/uppfoljning/samverkansgrupp?fran=2026-04-01&till=2026-06-30"
    free = association.get(path).soup.find("h2", string="Lediga platser nu").find_next("p")
    assert "Osby: över kapaciteten med 1" in free.get_text()
    assert "-1" not in free.get_text()
    book = load_workbook(io.BytesIO(association.client.get(path + "&format=xlsx").data))
    rows = list(book["Samverkansgrupp"].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "Kommun" and "Lediga platser" in r)
    osby = next(
        r for r in rows[rows.index(header) :] if r and r[0] == "Osby" and len(r) >= len(header)
    )
    places = dict(zip(header, osby, strict=False))
    assert (places["Lediga platser"], places["Över kapacitet"]) == (0, 1)


def test_the_intake_scenarios_side_by_side_on_the_page_its_xlsx_and_the_steering_report(
    visit, people, running
):
    coordinator = visit(people["coordinator"])
    address = "/uppfoljning/budget?ar=2027&till=2027-03-31&intag=2"
    page = coordinator.get(address)
    table = page.soup.find("table", class_="scenarios")
    headings = [th.get_text(" ", strip=True) for th in table.find("thead").find_all("th")]
    assert headings == [
        "Månadsslut",
        "Budget till månadens slut",
        "Nuvarande takt (0,0 starter i månaden)",  # nobody started from 24 Aug to 23 Nov
        "Programmets intagsprognos (0,0 starter i månaden)",
        "Eget antal (2,0 starter i månaden)",
    ]
    december = table.find("th", string="31 dec. 2027").find_parent("tr")
    pace, program, typed = [td.get_text(strip=True) for td in december.find_all("td")][1:]
    assert pace == program != typed  # no intake at the current pace; two a month cost more
    lines = [li.get_text(" ", strip=True) for li in page.soup.select(".scenario-lines li")]
    assert lines[0] == (
        f"Med nuvarande takt (0,0 starter i månaden) används {pace} av 1\xa0790\xa0000\xa0kr 2027."
    )
    assert lines[2].startswith("Med 2,0 starter i månaden används ")
    link = page.soup.find("a", string="Ladda ner som Excel (XLSX)")["href"]
    assert "intag=2" in link
    rows = list(
        load_workbook(io.BytesIO(coordinator.client.get(link).data)).active.iter_rows(
            values_only=True
        )
    )
    heading = next(i for i, r in enumerate(rows) if r[0] == "Prognos per intagsscenario")
    assert [h for h in rows[heading + 1] if h][2:] == headings[2:]
    wrong = coordinator.get("/uppfoljning/budget?ar=2027&till=2027-03-31&intag=tv%C3%A5")
    assert len(wrong.soup.find("table", class_="scenarios").find("thead").find_all("th")) == 4
    steering = coordinator.get("/uppfoljning/samverkansgrupp?fran=2026-07-01&till=2026-09-30")
    assert (
        steering.soup.select_one(".pace-forecast")
        .get_text(strip=True)
        .startswith("Med nuvarande takt (")
    )


def test_the_association_enters_its_finsam_figures_and_the_page_shows_the_national_order(
    visit, people, running
):
    association = visit(people["association"])
    wrong = association.post(
        "/uppfoljning/finsam/forbundet",
        {
            "ar": "2026",
            "allocated": "tre miljoner",
            "equity": "-120000",
            "administration_budget": "400000",
            "administration_utfall": "",
        },
    )
    assert wrong.status == 400
    assert wrong.error("allocated") is not None and wrong.error("administration_utfall") == (
        "Ange ett belopp i kronor."
    )
    assert visit(people["osby"]).post("/uppfoljning/finsam/forbundet", {"ar": "2026"}).status == 403
    figures = {
        "ar": "2026",
        "allocated": "3000000",
        "equity": "-120000",
        "administration_budget": "400000",
        "administration_utfall": "180500,50",
    }
    outside = association.post("/uppfoljning/finsam/forbundet", {**figures, "ar": "2031"})
    assert outside.status == 400 and outside.summary[0][1] == "Välj ett av programmets år."
    assert association.post("/uppfoljning/finsam/forbundet", figures).status == 302
    page = association.get("/uppfoljning/finsam?ar=2026&halvar=1")
    assert "Förbundets siffror för 2026 är sparade." in page.text
    rows = [
        [c.get_text(" ", strip=True) for c in r.find_all(["th", "td"])]
        for r in page.soup.select("table tbody tr")
    ]
    assert rows[:12] == [
        ["Tilldelade medel", "3\xa0000\xa0000\xa0kr"],
        ["Eget kapital", "−120\xa0000\xa0kr"],
        ["Administration, budget", "400\xa0000\xa0kr"],
        ["Administration, utfall", "180\xa0500,50\xa0kr"],
        ["Insats", page.soup.find("th", string="Insats").find_next("td").get_text(strip=True)],
        ["Inriktning", "Arbetslivsinriktad rehabilitering: arbetsträning i kommunal verksamhet"],
        ["Målgrupp", "Individinriktad"],
        ["Uppföljningsmetod", "Indikatorer i Uppföljning Finsam och avslutsorsak per deltagare"],
        ["ESF-finansiering", "Nej"],
        ["Budget", rows[9][1]],
        ["Utfall", rows[10][1]],
        ["Budgeterat antal deltagare", "35"],
    ]
    assert rows[12] == ["Aktiva under perioden", "2", "0", "0", "2"]
    assert "Det finns ingen tidigare rapport att jämföra med." in page.text
    book = load_workbook(
        io.BytesIO(association.client.get("/uppfoljning/finsam?ar=2026&halvar=1&format=xlsx").data)
    )
    cells = [[c for c in row if c is not None] for row in book.active.iter_rows(values_only=True)]
    labels = [row[0] for row in cells if row]
    assert labels.index("Tilldelade medel") < labels.index("Inriktning")
    assert labels.index("Inriktning") < labels.index("Aktiva under perioden")
    assert ["Administration, utfall", 180500.5] in cells
    # Once the half-year is reported, the stored figures stand: no form to change them.
    coordinator = visit(people["coordinator"])
    coordinator.post("/uppfoljning/finsam/rapportera", {"ar": "2026", "halvar": "1"})
    reported = coordinator.get("/uppfoljning/finsam?ar=2026&halvar=1")
    assert reported.soup.find("button", string="Spara förbundets siffror") is None
