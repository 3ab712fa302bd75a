"""Reading what people type — a date, a year, a whole number, an amount in kronor — the same
way in the web site's forms, in chat and on the command line. Each refusal is one sentence
naming what was typed."""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal

from domain.errors import RuleViolation
from domain.money import Money
from domain.text import N_

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE = re.compile(r"\d{1,9}")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
_KRONOR = re.compile(r"\d{1,7}([.,]\d{1,2})?")


def parse_date(raw: str, *, field: str | None = None) -> date:
    """2026-11-23 (ISO 8601, as an <input type="date"> sends it)."""
    text = (raw or "").strip()
    if not _DATE.fullmatch(text):
        raise RuleViolation(
            N_("%(value)s is not a date written YYYY-MM-DD, for example 2026-11-23."),
            field=field,
            value=text,
        )
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RuleViolation(
            N_("There is no date %(value)s. Check the day and the month."),
            field=field,
            value=text,
        ) from None


def parse_year(raw: str, *, field: str | None = None) -> int:
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise RuleViolation(
            N_("%(value)s is not a year; write it with four digits."), field=field, value=text
        )
    return int(text)


def parse_whole_number(raw: str, *, field: str | None = None) -> int:
    """0, 5, 120: digits only (no sign, no decimals)."""
    text = (raw or "").strip()
    if not _WHOLE.fullmatch(text):
        raise RuleViolation(
            N_("%(value)s is not a whole number of zero or more."), field=field, value=text
        )
    return int(text)


def parse_kronor(raw: str, *, field: str | None = None) -> Money:
    """206,40 or 206.40 or 206 (kr), with spaces between thousands allowed."""
    text = (raw or "").strip()
    compact = text.replace("\xa0", "").replace(" ", "").removesuffix("kr")
    if not _KRONOR.fullmatch(compact):
        raise RuleViolation(
            N_("%(value)s is not an amount in kronor, for example 206,40."),
            field=field,
            value=text,
        )
    return Money.kronor(Decimal(compact.replace(",", ".")))


def parse_time(raw: str, *, field: str | None = None) -> time:
    """14:30 (as an <input type="time"> sends it), or 14.30 as Swedes often write it."""
    text = (raw or "").strip()
    found = _TIME.fullmatch(text)
    if found is None or int(found.group(1)) > 23 or int(found.group(2)) > 59:
        raise RuleViolation(
            N_("%(value)s is not a time of day written HH:MM, for example 09:30."),
            field=field,
            value=text,
        )
    return time(int(found.group(1)), int(found.group(2)))
