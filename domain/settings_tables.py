"""Reading one table of a program settings file (TOML): typed look-ups that note each
problem as a sentence instead of stopping at the first, so the coordinator sees them all."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.money import Money
from domain.text import N_, Text

_MISSING = object()


class TableReader:
    """Typed look-ups into one TOML table that note a problem instead of raising."""

    def __init__(self, problems: list[Text], table: Any, where: str, known: set[str]) -> None:
        self.problems = problems
        self.where = where
        if not isinstance(table, dict):
            self._problem(N_("%(where)s must be a table of settings."))
            table = {}
        self.table = table
        for key in sorted(set(table) - known):
            if where:
                self._problem(N_("%(where)s has an unknown setting %(key)s."), key=key)
            else:
                self._problem(N_("The settings file has an unknown section %(key)s."), key=key)

    def _problem(self, msgid: str, **params: Any) -> None:
        self.problems.append(Text(msgid, {"where": self.where, **params}))

    def _get(self, key: str, required: bool) -> Any:
        value = self.table.get(key, _MISSING)
        if value is _MISSING and required:
            self._problem(N_("%(where)s is missing the setting %(key)s."), key=key)
        return value

    def text(self, key: str, *, required: bool = True, default: str = "") -> str | None:
        value = self._get(key, required)
        if value is _MISSING:
            return default if not required else None
        if not isinstance(value, str) or (required and not value.strip()):
            self._problem(N_("%(where)s: %(key)s must be a text."), key=key)
            return None
        return value.strip()

    def day(self, key: str, *, required: bool = True) -> date | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, date) or hasattr(value, "hour"):
            self._problem(N_("%(where)s: %(key)s must be a date written YYYY-MM-DD."), key=key)
            return None
        return value

    def whole(self, key: str, *, minimum: int = 0, default: int | None = None) -> int | None:
        value = self._get(key, default is None)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self._problem(
                N_("%(where)s: %(key)s must be a whole number of at least %(minimum)s."),
                key=key,
                minimum=minimum,
            )
            return None
        return value

    def money(self, key: str) -> Money | None:
        value = self._get(key, True)
        if value is _MISSING:
            return None
        try:
            if isinstance(value, bool) or not isinstance(value, int | Decimal):
                raise InvalidOperation
            amount = Money.kronor(value)
            if amount.ore < 0:
                raise InvalidOperation
            return amount
        except (InvalidOperation, ValueError):
            self._problem(N_("%(where)s: %(key)s must be an amount in kronor."), key=key)
            return None

    def flag(self, key: str) -> bool | None:
        value = self._get(key, True)
        if value is _MISSING:
            return None
        if not isinstance(value, bool):
            self._problem(N_("%(where)s: %(key)s must be true or false."), key=key)
            return None
        return value

    def tables(self, key: str, *, required: bool = True) -> list[Any]:
        value = self._get(key, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self._problem(N_("%(where)s: %(key)s must be a list of tables."), key=key)
            return []
        return value
