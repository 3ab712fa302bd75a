"""`mm` reports on the demo data as an operator runs them (the requisition basis, accruals,
follow-up, Finsam): Swedish answers, Swedish errors, exit codes, never a traceback. Apart from
tests/test_cli.py so that the two halves run side by side (pytest -n --dist loadfile)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.fresh_state import copy_sqlite_demo
from tests.support.mm_command import runner_on_copy


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory, sqlite_template, program) -> Path:
    """The demo data as `mm demo` loads it (cli.demo_data), loaded once per test process
    (tests.support.fresh_state); tests/test_cli.py runs `mm demo` itself."""
    database = tmp_path_factory.mktemp("cli-demo") / "demo.sqlite3"
    copy_sqlite_demo(sqlite_template, program, database)
    return database


@pytest.fixture
def demo(demo_database, tmp_path):
    return runner_on_copy(demo_database, tmp_path / "demo.sqlite3")


@pytest.mark.slow
def test_requisition_prints_the_basis_as_csv_for_swedish_excel(demo):
    out = demo("requisition", "Osby", "2026-09", "--format", "csv").stdout
    lines = out.lstrip("\ufeff").splitlines()
    assert (
        out.startswith("\ufeff") and lines[0] == "Rekvisitionsunderlag september–oktober 2026, Osby"
    )
    assert "Kommunkod;1273" in lines
    header = lines.index("Referenskod;Första dag;Sista dag;Dagar;Dagersättning;Belopp")
    rows = [line.split(";") for line in lines[header + 1 :] if line.startswith("MM-")]
    total = next(line.split(";") for line in lines if line.startswith("Summa;"))
    assert rows and all(row[4] == "200,00" for row in rows)
    assert sum(int(row[3]) for row in rows) == int(total[3])
    assert f"{sum(int(row[3]) for row in rows) * 200},00" == total[5]
    text = demo("requisition", "1273", "2026-09/2026-10").stdout
    assert text.splitlines()[0] == (
        "Rekvisitionsunderlag september–oktober 2026, Osby (kommunkod 1273)"
    )
    assert f"Att betala: {int(total[3]) * 200:,}\xa0kr".replace(",", "\xa0") in text


def test_requisition_writes_an_xlsx_file(demo, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "osby.xlsx"
    done = demo("requisition", "Osby", "2026-09", "--format", "xlsx", "--output", str(target))
    assert done.stdout == f"Skrivet till {target}.\n"
    sheet = load_workbook(target).active
    assert sheet["A1"].value == "Rekvisitionsunderlag september–oktober 2026, Osby"


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (
            ["requisition", "Ystad", "2026-09"],
            "Det finns ingen kommun som heter Ystad i programmet.",
        ),
        (
            ["requisition", "Osby", "2030-01"],
            "Programmet löper från 1 jan. 2026 till 31 dec. 2028; 2030-01 ligger utanför det.",
        ),
        (
            ["requisition", "Osby", "sept"],
            "sept är ingen period. Skriv den som 2026-03 eller 2026-03/2026-04.",
        ),
        (
            ["requisition", "Osby", "2026-09", "--format", "xlsx"],
            "En XLSX-fil behöver --output FIL.",
        ),
        (
            ["requisition", "Osby", "2027-05"],
            "Perioden 1 maj 2027 – 30 juni 2027 har inte börjat än.",
        ),
    ],
)
def test_requisition_refuses_bad_input_in_swedish(demo, words, message):
    done = demo(*words, ok=False)
    assert done.stderr.strip() == f"Fel: {message}"


def test_accruals_list_what_is_not_yet_claimed(demo):
    out = demo("accruals", "--date", "2026-12-31").stdout.splitlines()
    assert "Osby (1273), maj–juni 2026: " in "\n".join(out)
    assert any(
        line.startswith("Osby (1273), juli–augusti 2026: ") and line.endswith("– Utkast")
        for line in out
    )
    assert out[-1].startswith("Att boka per 31 dec. 2026: ")
    assert not any("mars–april" in line for line in out)  # attested and paid in the demo


def test_follow_up_prints_the_budget_whose_utfall_is_mm_budgets_accrued_figure(demo):
    for to, written in (("2026-06-30", "30 juni 2026"), ("2026-12-31", "31 dec. 2026")):
        budget = demo("--date", to, "budget", "2026").stdout.splitlines()
        prefix = f"Utfall till och med {written}: "
        accrued = next(line.removeprefix(prefix) for line in budget if line.startswith(prefix))
        out = demo("follow-up", "2026", "--to", to).stdout.splitlines()
        assert out[0] == f"Budgetuppföljning 2026 till och med {written}"
        assert out[1].startswith("Prognosen för 2026 är ")
        placements = next(line for line in out if line.startswith("Ersättning till kommunerna: "))
        assert f"utfall {accrued}, avvikelse " in placements
    assert (
        "budget 1\xa0345\xa0000\xa0kr, för perioden 672\xa0500\xa0kr"
        in demo("follow-up", "2026", "--to", "2026-06-30").stdout
    )


def test_follow_up_to_the_year_end_as_xlsx(demo, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "2026.xlsx"
    assert demo(
        "follow-up", "2026", "--to", "2026-12-31", "--format", "xlsx", "--output", str(target)
    ).stdout == (f"Skrivet till {target}.\n")
    sheet = load_workbook(target).active
    assert sheet["A1"].value == "Budgetuppföljning 2026 till och med 31 dec. 2026"


def test_follow_up_2027_forecasts_the_year_end_for_each_intake_scenario(demo, tmp_path):
    from openpyxl import load_workbook

    words = ("follow-up", "2027", "--to", "2027-03-31", "--intake", "4")
    out = demo(*words).stdout.splitlines()
    pace = next(line for line in out if line.startswith("Med nuvarande takt ("))
    program = next(line for line in out if line.startswith("Med programmets intagsprognos (0,0 "))
    typed = next(line for line in out if line.startswith("Med 4,0 starter i månaden används "))
    for line in (pace, program, typed):
        assert line.endswith(" av 1\xa0790\xa0000\xa0kr 2027."), line
    target = tmp_path / "2027.xlsx"
    demo(*words, "--format", "xlsx", "--output", str(target))
    sheet = load_workbook(target).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    heading = next(i for i, row in enumerate(rows) if row[0] == "Prognos per intagsscenario")
    assert [h.split(" (")[0] for h in rows[heading + 1] if h] == [
        "Månadsslut",
        "Budget till månadens slut",
        "Nuvarande takt",
        "Programmets intagsprognos",
        "Eget antal",
    ]
    december = next(r for r in rows[heading + 2 :] if str(r[0]).startswith("2027-12-31"))
    program_end, typed_end = december[3], december[4]
    assert typed_end > program_end  # four starts a month cost more than none


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["follow-up", "2031"], "Programmet har inget år 2031; välj ett år från 2026 till 2028."),
        (
            ["follow-up", "2026", "--to", "2027-01-31"],
            "Brytdatumet måste ligga i 2026, året som följs upp.",
        ),
        (
            ["finsam", "2026", "--half", "2", "--report"],
            "Perioden är inte slut; dess siffror kan rapporteras från 1 jan. 2027.",
        ),
        (
            ["indicators", "--from", "2026-09-01", "--to", "2026-08-01"],
            "Perioden måste sluta efter att den börjar.",
        ),
    ],
)
def test_follow_up_commands_refuse_bad_input_in_swedish(demo, words, message):
    assert demo(*words, ok=False).stderr.strip() == f"Fel: {message}"


def test_finsam_by_gender_and_indicators_per_municipality(demo):
    out = demo("finsam", "2026", "--half", "1").stdout.splitlines()
    assert out[:2] == [
        "Underlag för Uppföljning Finsam, 1 jan. 2026 – 30 juni 2026",
        "Beräknat nu, inte rapporterat än.",
    ]
    # The national screens' order: the association, the insats, then its participants.
    labels = [line.split(": ")[0] for line in out[2:]]
    assert labels[:12] == [
        "Tilldelade medel",
        "Eget kapital",
        "Administration, budget",
        "Administration, utfall",
        "Insats",
        "Inriktning",
        "Målgrupp",
        "Uppföljningsmetod",
        "ESF-finansiering",
        "Budget",
        "Utfall",
        "Budgeterat antal deltagare",
    ]
    assert out[2] == "Tilldelade medel: Ej inlagt" and "Målgrupp: Individinriktad" in out
    active = out[14]
    assert active.startswith("Aktiva under perioden: ") and "kvinnor " in active
    assert "män " in active
    assert "Budgeterat antal deltagare: 35" in out
    reported = demo("finsam", "2026", "--half", "1", "--report").stdout.splitlines()
    assert reported[1].startswith("Rapporterat ")
    osby = demo(
        "indicators", "--from", "2026-07-01", "--to", "2026-09-30", "--municipality", "Osby"
    )
    lines = osby.stdout.splitlines()
    assert lines[0] == "Osby, 1 juli 2026 – 30 sep. 2026:"
    assert lines[-1].startswith("  Avslutsorsaker: Arbete ")
