"""Exports are data, never code: a formula typed into any free text a person can set
(municipality names, a user's name, a stated reason, a decline comment, a meeting's place, a
title) comes out of every XLSX and CSV of the site and of `mm` as text, while the sums the
export writes itself stay formulas. Each file is opened the way a spreadsheet would read it:
openpyxl for XLSX, the csv module for CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from domain.audit import Seen
from domain.choices import DeclineReason, Outcome, Role
from domain.exports import FORMULA_STARTS, as_data
from services import accounts, audit, meetings, municipalities, placements, referrals, users
from storage.models import Municipality, Referral
from tests.support.clock import moment
from tests.test_cli import runner

# What the hostile run typed, one per kind of formula start (OWASP's list).
PAYLOADS = {
    "Osby": '=HYPERLINK("http://evil.example","x")',
    "Kristianstad": "+1+cmd|' /C calc'!A0",
    "Bromölla": "-2+3+cmd|' /C calc'!A0",
    "Östra Göinge": "@SUM(1+1)*cmd|' /C calc'!A0",
}
USER_NAME = '=HYPERLINK("http://evil.example","Anna")'
REASON = "\t=1+1 Fråga från kommunen"
COMMENT = "\r=2+2 Bor för långt bort"
PLACE = "=3+3 Stadshuset"
TITLE = "@4+4 Handläggare"
# The export's own formulas: sums, shares and differences of its cells, nothing else.
OWN_FORMULA = re.compile(r'=[A-Z0-9(),:+\-*/<>=" .]*')
OWN_FUNCTIONS = {"SUM", "IF"}
NUMBER = re.compile(r"-?\d[\d\xa0 ]*(,\d+)?( %)?")


def _setup(world, people) -> None:
    """Placements in each municipality, then every free text set to a formula."""
    investigator, osby = people["investigator"], people["osby"]
    running = world.started(investigator, osby, "Osby", date(2026, 3, 2))
    ended = world.started(investigator, osby, "Osby", date(2026, 3, 16))
    world.do(
        placements.end_placement,
        actor=osby,
        referral_id=ended.id,
        ended_on=date(2026, 5, 29),
        outcome=Outcome.WORK,
        now=moment(date(2026, 6, 1)),
    )
    declined = world.file(investigator, "Kristianstad", date(2026, 11, 2))
    world.do(
        referrals.decline_request,
        actor=people["kristianstad"],
        request_id=world.open_request_id(declined.id),
        reason=DeclineReason.OTHER,
        comment=COMMENT,
        now=moment(date(2026, 11, 3)),
    )
    world.read(
        lambda s: meetings.book_follow_up(
            s,
            actor=osby,
            referral=s.get(Referral, running.id),
            on=date(2026, 11, 30),
            at=time(10),
            place=PLACE,
            now=moment(date(2026, 11, 20)),
        )
    )
    world.read(lambda s: users.set_contact_details(s, actor=osby, phone="", title=TITLE))
    world.read(
        lambda s: audit.record_view(
            s,
            actor=people["coordinator"],
            referral_id=running.id,
            now=moment(date(2026, 11, 20), 10),
            address="10.0.0.1",
            seen=Seen.REFERRAL_PAGE,
            reason=REASON,
        )
    )
    for name, payload in PAYLOADS.items():
        municipality_id = world.municipality(name)
        code = world.read(lambda s, m=municipality_id: s.get(Municipality, m).code)
        world.do(
            municipalities.change_municipality,
            actor=people["admin"],
            municipality_id=municipality_id,
            name=payload,
            code=code,
            slack_channel=None,
            now=moment(date(2026, 11, 20)),
        )
    world.do(
        accounts.change_user,
        actor=people["admin"],
        user_id=people["coordinator"].user_id,
        name=USER_NAME,
        role=Role.COORDINATOR,
        municipality_id=None,
        external_identity=None,
        now=moment(date(2026, 11, 20)),
    )


def _xlsx_problems(content: bytes, where: str) -> list[str]:
    problems = []
    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f":
                    functions = set(re.findall(r"([A-Z]+)\(", str(value)))
                    if not OWN_FORMULA.fullmatch(str(value)) or functions - OWN_FUNCTIONS:
                        problems.append(f"{where} {sheet.title}!{cell.coordinate}: {value!r}")
                elif isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    problems.append(f"{where} {sheet.title}!{cell.coordinate}: {value!r}")
    return problems


def _csv_problems(text: str, where: str) -> list[str]:
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    return [
        f"{where} line {number}: {cell!r}"
        for number, row in enumerate(rows, start=1)
        for cell in row
        if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)
    ]


def _texts_in_xlsx(content: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(content))
    return {
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


SITE = {
    "coordinator": [
        "/rekvisitioner/1273/2026-03/underlag.xlsx",
        "/rekvisitioner/1273/2026-03/underlag.csv",
        "/upplupna-kostnader.xlsx?datum=2026-11-23",
        "/uppfoljning/budget.xlsx?ar=2026&till=2026-06-30",
        "/uppfoljning/indikatorer?fran=2026-01-01&till=2026-11-23&format=xlsx",
        "/uppfoljning/finsam?ar=2026&halvar=1&format=xlsx",
        "/uppfoljning/samverkansgrupp?fran=2026-04-01&till=2026-06-30&format=xlsx",
    ],
    "log_reviewer": ["/loggkontroll/export.csv?period_from=2026-11-01&period_to=2026-11-23"],
}


@pytest.mark.slow
def test_no_cell_of_any_export_runs_a_formula_a_person_typed(
    visit, people, sqlite_world, app, tmp_path
):
    _setup(sqlite_world, people)
    problems: list[str] = []
    seen: set[str] = set()
    for role, paths in SITE.items():
        visitor = visit(people[role])
        for path in paths:
            response = visitor.client.get(path)
            assert response.status_code == 200, path
            if path.split("?")[0].endswith(".csv"):
                text = response.get_data(as_text=True)
                problems += _csv_problems(text, path)
                seen |= {c for row in csv.reader(io.StringIO(text), delimiter=";") for c in row}
            else:
                assert response.data[:2] == b"PK", path  # a real XLSX, not an error page
                problems += _xlsx_problems(response.data, path)
                seen |= _texts_in_xlsx(response.data)
    # The command line writes the same documents.
    database = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    mm = runner(Path(database))
    outputs = {
        "requisition.xlsx": ("requisition", "1273", "2026-03", "--format", "xlsx"),
        "requisition.csv": ("requisition", "1273", "2026-03", "--format", "csv"),
        "accruals.xlsx": ("accruals", "--format", "xlsx"),
        "follow-up.xlsx": ("follow-up", "2026", "--format", "xlsx"),
        "finsam.xlsx": ("finsam", "2026", "--format", "xlsx"),
    }
    for name, args in outputs.items():
        target = tmp_path / name
        mm(*args, "--output", str(target))
        if name.endswith(".csv"):
            problems += _csv_problems(target.read_text(encoding="utf-8"), f"mm {name}")
        else:
            problems += _xlsx_problems(target.read_bytes(), f"mm {name}")
            seen |= _texts_in_xlsx(target.read_bytes())
    assert problems == []
    # The typed texts are there, as text: the neutralising did not just drop them.
    shown = "\n".join(seen)
    assert as_data(PAYLOADS["Osby"]) in shown
    assert any(as_data(p) in shown for p in list(PAYLOADS.values())[1:])
    assert as_data(USER_NAME) in shown and as_data(REASON) in shown


def test_as_data_prefixes_exactly_the_formula_starts():
    assert [as_data(t) for t in ("=1", "+1", "-1", "@A", "\tx", "\rx")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@A",
        "'\tx",
        "'\rx",
    ]
    assert [as_data(t) for t in ("Osby", "", " =1", "'=1", "1-2", "–")] == [
        "Osby",
        "",
        " =1",
        "'=1",
        "1-2",
        "–",
    ]
