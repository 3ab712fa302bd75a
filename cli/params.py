"""Command-line values parsed with Swedish error messages (click's own name English types)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import click

from domain.money import Money
from locales import gettext as _


class DateParam(click.ParamType):
    name = "ÅÅÅÅ-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(_("%(value)s is not a date written YYYY-MM-DD.", value=value), param, ctx)


class YearParam(click.ParamType):
    name = "ÅR"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        text = str(value).strip()
        if not (text.isdigit() and len(text) == 4):
            self.fail(
                _("%(value)s is not a year; write it with four digits.", value=value), param, ctx
            )
        return int(text)


class WholeNumberParam(click.ParamType):
    name = "ANTAL"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        text = str(value).strip()
        if not text.isdigit():
            self.fail(
                _("%(value)s is not a whole number of zero or more.", value=value), param, ctx
            )
        return int(text)


class KronorParam(click.ParamType):
    name = "KRONOR"

    def convert(self, value: Any, param: Any, ctx: Any) -> Money:
        try:
            return Money.kronor(Decimal(str(value).strip().replace(",", ".")))
        except (InvalidOperation, ValueError):
            self.fail(_("%(value)s is not an amount in kronor.", value=value), param, ctx)


DATE, YEAR, WHOLE_NUMBER, KRONOR = DateParam(), YearParam(), WholeNumberParam(), KronorParam()
