"""`mm finsam 2026 --format xlsx`: one sheet in the national screens' order, and a reported
half-year that reads back identical after `mm purge` (issue 25, part 3)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.test_cli_reports import demo, demo_database  # noqa: F401  (the demo database fixtures)


def sheet(demo, tmp_path, name: str, *words: str) -> list[list]:  # noqa: F811
    target = tmp_path / name
    demo("finsam", "2026", *words, "--format", "xlsx", "--output", str(target))
    book = load_workbook(target)
    assert len(book.worksheets) == 1
    return [[c for c in row if c is not None] for row in book.active.iter_rows(values_only=True)]


@pytest.mark.slow
def test_finsam_as_xlsx_in_the_national_order_and_identical_after_a_purge(demo, tmp_path):  # noqa: F811
    rows = sheet(demo, tmp_path, "year.xlsx")
    labels = [row[0] for row in rows if row]
    national = [
        "Förbundet",
        "Tilldelade medel",
        "Eget kapital",
        "Administration, budget",
        "Administration, utfall",
        "Insatsen",
        "Insats",
        "Inriktning",
        "Målgrupp",
        "Uppföljningsmetod",
        "ESF-finansiering",
        "Budget",
        "Utfall",
        "Budgeterat antal deltagare",
        "Deltagare efter kön",
        "Aktiva under perioden",
        "Nya under perioden",
        "Avslutade under perioden",
    ]
    assert [label for label in labels if label in national] == national
    assert ["Tilldelade medel", "Ej inlagt"] in rows and ["Målgrupp", "Individinriktad"] in rows
    assert ["Budgeterat antal deltagare", 70] in rows
    demo("finsam", "2026", "--half", "1", "--report")
    reported = sheet(demo, tmp_path, "reported.xlsx", "--half", "1")
    # Years later every participant's personal data is purged: the report reads the same.
    purged = demo("--date", "2031-06-01", "purge").stdout
    assert [line for line in purged.splitlines() if line.startswith("  ")]  # codes purged
    assert sheet(demo, tmp_path, "after-purge.xlsx", "--half", "1") == reported
    assert reported[-1][0].startswith("Rapporterat ")
