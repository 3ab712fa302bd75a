"""Spreadsheets in Swedish, the same figures as the pages: XLSX with real numbers and dates in
the cells and sums as formulas a spreadsheet recomputes, and CSV as Swedish Excel opens it
(semicolons, decimal commas, UTF-8 with a byte-order mark).

A sheet is described once (title lines, then tables of typed cells) and written either way.
Shared by the web site and the command line, like the phrases.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.exports import as_data
from domain.money import Money

KRONOR_FORMAT = '#,##0.00\\ "kr"'
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"


@dataclass(frozen=True)
class Sum:
    """A column's sum over the rows above it in its table: a formula in XLSX, the value in
    CSV (which has no formulas)."""

    value: Money | int


@dataclass(frozen=True)
class GrandTotal:
    """The sum of one column's total rows over every table of the sheet (e.g. placements and
    corrections): a formula over those cells in XLSX, the value in CSV."""

    value: Money
    column: int  # 1-based, as in the tables


@dataclass(frozen=True)
class RowFormula:
    """A cell computed from cells of its own row ("=E{r}-D{r}"): the formula in XLSX, the
    value in CSV."""

    value: Money | Decimal | int | None
    formula: str
    percent: bool = False


@dataclass(frozen=True)
class Share:
    """A part of a whole as a percentage (0.25 for 25 %)."""

    value: Decimal | None


Cell = str | int | Decimal | Money | date | Sum | Share | GrandTotal | RowFormula | None


@dataclass
class Table:
    headers: Sequence[str]
    rows: list[Sequence[Cell]] = field(default_factory=list)
    totals: Sequence[Cell] | None = None  # a last row, with Sum cells for the columns to add


@dataclass
class Sheet:
    title: str  # the worksheet's name (at most 31 characters)
    heading: str
    facts: list[tuple[str, Cell]] = field(default_factory=list)  # label, value
    tables: list[tuple[str, Table]] = field(default_factory=list)  # caption, table
    notes: list[str] = field(default_factory=list)
    closing: list[tuple[str, GrandTotal]] = field(default_factory=list)  # after the tables
    freeze: bool = False  # keep the rows down to the first table's header in view (XLSX)


def _plain(value: Cell) -> Cell:
    """The value a cell holds; text always as data (domain.exports), never as a formula."""
    if isinstance(value, str):
        return as_data(value)
    if isinstance(value, Money):
        return value.as_kronor
    if isinstance(value, Sum | GrandTotal | RowFormula):
        return _plain(value.value)
    if isinstance(value, Share):
        return value.value
    return value


def _format_of(value: Cell) -> str | None:
    if isinstance(value, Money | GrandTotal) or (
        isinstance(value, Sum) and isinstance(value.value, Money)
    ):
        return KRONOR_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    if isinstance(value, Share) or (isinstance(value, RowFormula) and value.percent):
        return PERCENT_FORMAT
    if isinstance(value, RowFormula) and isinstance(value.value, Money):
        return KRONOR_FORMAT
    return None


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    # openpyxl is loaded by the first export, not by every worker that never makes one.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append([_plain(sheet.heading)])
        ws.cell(row=1, column=1).font = Font(bold=True, size=14)
        for label, value in sheet.facts:
            ws.append([_plain(label), _plain(value)])
            ws.cell(row=ws.max_row, column=1).font = bold
            number_format = _format_of(value)
            if isinstance(value, str) and value.isdigit():
                number_format = "@"  # a code (kommunkod): text, never a number
            if number_format:
                ws.cell(row=ws.max_row, column=2).number_format = number_format
        total_rows: list[int] = []
        for caption, table in sheet.tables:
            ws.append([])
            ws.append([_plain(caption)])
            ws.cell(row=ws.max_row, column=1).font = bold
            ws.append([_plain(header) for header in table.headers])
            for column in range(1, len(table.headers) + 1):
                ws.cell(row=ws.max_row, column=column).font = bold
            if sheet.freeze and ws.freeze_panes is None:
                ws.freeze_panes = f"A{ws.max_row + 1}"
            first = ws.max_row + 1
            for row in table.rows:
                ws.append([_plain(v) for v in row])
                for column, value in enumerate(row, start=1):
                    cell = ws.cell(row=ws.max_row, column=column)
                    if isinstance(value, RowFormula):
                        cell.value = value.formula.format(r=ws.max_row)
                    number_format = _format_of(value)
                    if isinstance(value, str) and value.isdigit():
                        number_format = "@"  # a code (kommunkod): text, never a number
                    if number_format:
                        cell.number_format = number_format
            if table.totals is not None:
                last = ws.max_row
                ws.append([None] * len(table.totals))
                total_rows.append(ws.max_row)
                for column, value in enumerate(table.totals, start=1):
                    cell = ws.cell(row=ws.max_row, column=column)
                    if isinstance(value, Sum):
                        letter = get_column_letter(column)
                        cell.value = f"=SUM({letter}{first}:{letter}{last})" if last >= first else 0
                    elif isinstance(value, RowFormula):
                        cell.value = value.formula.format(r=ws.max_row)
                    else:
                        cell.value = _plain(value)
                    cell.font = bold
                    number_format = _format_of(value)
                    if number_format:
                        cell.number_format = number_format
        for label, grand in sheet.closing:
            ws.append([])
            letter = get_column_letter(grand.column)
            cells = "+".join(f"{letter}{row}" for row in total_rows) or "0"
            ws.append([_plain(label)] + [None] * (grand.column - 2) + [f"={cells}"])
            ws.cell(row=ws.max_row, column=1).font = bold
            closing_cell = ws.cell(row=ws.max_row, column=grand.column)
            closing_cell.font = bold
            closing_cell.number_format = KRONOR_FORMAT
        for note in sheet.notes:
            ws.append([])
            ws.append([_plain(note)])
        for column in range(1, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(column)].width = 22 if column > 1 else 30
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_value(value: Cell) -> str:
    if isinstance(value, RowFormula) and value.percent:
        value = Share(value.value if isinstance(value.value, Decimal) else None)
    if isinstance(value, Share):
        from locales import format_percent

        return format_percent(value.value)
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(sheet: Sheet) -> str:
    """One sheet as CSV for Swedish Excel: the byte-order mark, then semicolon-separated
    lines; the caller encodes it as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_value(sheet.heading)])
    for label, value in sheet.facts:
        writer.writerow([_csv_value(label), _csv_value(value)])
    for caption, table in sheet.tables:
        writer.writerow([])
        writer.writerow([_csv_value(caption)])
        writer.writerow([_csv_value(header) for header in table.headers])
        for row in table.rows:
            writer.writerow([_csv_value(v) for v in row])
        if table.totals is not None:
            writer.writerow([_csv_value(v) for v in table.totals])
    for label, grand in sheet.closing:
        writer.writerow([])
        writer.writerow([_csv_value(label)] + [""] * (grand.column - 2) + [_csv_value(grand.value)])
    for note in sheet.notes:
        writer.writerow([])
        writer.writerow([_csv_value(note)])
    return out.getvalue()


def rows_to_csv(rows: Sequence[Sequence[str]]) -> str:
    """Plain lines of text as CSV for Swedish Excel (a list, not a sheet): the byte-order
    mark, then semicolon-separated lines, every cell as data."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([as_data(cell) for cell in row])
    return out.getvalue()
