"""Exports are data, never code: a cell a person's text begins with `=`, `+`, `-`, `@`, a tab
or a carriage return would run as a formula in a spreadsheet (OWASP's CSV injection). Every
CSV and XLSX writer passes each text cell through `as_data`, the one place this is decided;
the formulas an export writes itself (sums) are set on the cell directly and stay formulas.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_data(text: str) -> str:
    """The text as a spreadsheet shows it but never evaluates it: a leading apostrophe (as
    OWASP advises) before a text that could start a formula; any other text unchanged."""
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
