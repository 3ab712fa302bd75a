"""Command-line values, read by the same rules as in chat and on the web (domain.parsing),
with the Swedish sentence when they cannot be read (click's own types speak English)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import click

from domain.errors import RuleViolation
from domain.money import Money
from domain.parsing import parse_date, parse_kronor, parse_whole_number, parse_year
from locales import render


class _Parsed(click.ParamType):
    def __init__(self, name: str, parse: Callable[[str], Any], kind: type) -> None:
        self.name = name
        self.parse = parse
        self.kind = kind

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, self.kind) and not isinstance(value, str):
            return value
        try:
            return self.parse(str(value))
        except RuleViolation as error:
            self.fail(render(error.text), param, ctx)


DATE = _Parsed("ÅÅÅÅ-MM-DD", parse_date, date)
YEAR = _Parsed("ÅR", parse_year, int)
WHOLE_NUMBER = _Parsed("ANTAL", parse_whole_number, int)
KRONOR = _Parsed("KRONOR", parse_kronor, Money)
