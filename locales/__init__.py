"""The Swedish catalogue and the Swedish way of writing numbers, money and dates.

Used by the command line, the bot and the web site (which reaches the same catalogue through
Flask-Babel). Msgids are English sentences with named placeholders; values are formatted
here by type before they are put into the translated sentence (money, dates and decimals;
whole numbers stay numbers, so that msgids can say `%(num)d`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, dates, numbers
from babel.support import Translations

from domain.clock import STOCKHOLM
from domain.money import Money
from domain.requisition import Period
from domain.text import Text

LOCALES_DIR = Path(__file__).resolve().parent
LOCALE = "sv_SE"


@lru_cache(maxsize=1)
def translations() -> Translations:
    found = Translations.load(str(LOCALES_DIR), ["sv"], domain="messages")
    if not isinstance(found, Translations):  # Babel falls back to no translation at all
        raise RuntimeError(f"The Swedish catalogue is missing in {LOCALES_DIR}")
    return found


# Parsed once: pages format dozens of amounts and numbers.
_SWEDISH = Locale.parse(LOCALE)
_WHOLE_KRONOR = numbers.parse_pattern("#,##0\xa0¤")
_WITH_ORE = numbers.parse_pattern("#,##0.00\xa0¤")


def _minus(formatted: str) -> str:
    """A typographic minus sign (U+2212), as Swedish print writes it: a hyphen reads as a dash
    and lets a line break between the sign and the figure."""
    return "\u2212" + formatted[1:] if formatted.startswith("-") else formatted


def format_money(amount: Money) -> str:
    """1 790 000 kr; 206,40 kr when there are öre; −846 117 kr."""
    return _kronor(amount.ore)


# A requisition basis formats a few thousand amounts and dates, most of them repeated (the
# same daily rate, the same period's days): each text is made once per process (~20 µs each).
@lru_cache(maxsize=8192)
def _kronor(ore: int) -> str:
    amount = Money(ore)
    pattern = _WHOLE_KRONOR if ore % 100 == 0 else _WITH_ORE
    return _minus(pattern.apply(amount.as_kronor, _SWEDISH, currency="SEK", currency_digits=False))


def format_date(day: date) -> str:
    """22 nov. 2026"""
    if isinstance(day, datetime):
        day = day.astimezone(STOCKHOLM).date()
    return _day(day)


@lru_cache(maxsize=4096)
def _day(day: date) -> str:
    return dates.format_date(day, format="medium", locale=LOCALE)


def format_datetime(moment: datetime) -> str:
    """22 nov. 2026 14:05, in Stockholm time."""
    local = moment.astimezone(STOCKHOLM)
    return f"{format_date(local.date())} {local:%H:%M}"


# Numbers, shares and months too: Babel parses its pattern and looks the locale up at each
# call (~50-100 µs), and a page writes dozens of counts and totals, most of them repeated.
def format_number(value: int | Decimal, decimals: int = 0) -> str:
    try:  # the sign in the key: -0 equals 0 but is written with its sign
        return _number(value, decimals, _signed(value))
    except TypeError:  # not hashable (a signalling NaN): formatted as it is
        return _number.__wrapped__(value, decimals, True)


def _signed(value: Any) -> bool:
    return str(value).startswith("-")


@lru_cache(maxsize=4096, typed=True)
def _number(value: int | Decimal, decimals: int, negative: bool) -> str:
    pattern = "#,##0" if decimals == 0 else "#,##0." + "0" * decimals
    return _minus(numbers.format_decimal(value, format=pattern, locale=LOCALE))


def format_percent(share: Decimal | None, decimals: int = 0) -> str:
    """40 %; 2,7 % with one decimal."""
    if share is None:
        return "–"
    try:
        return _percent(share, decimals, _signed(share))
    except TypeError:
        return _percent.__wrapped__(share, decimals, True)


@lru_cache(maxsize=4096, typed=True)
def _percent(share: Decimal, decimals: int, negative: bool) -> str:
    pattern = "#,##0\xa0%" if decimals == 0 else "#,##0." + "0" * decimals + "\xa0%"
    return _minus(numbers.format_percent(share, format=pattern, locale=LOCALE))


@lru_cache(maxsize=1024)
def format_month_short(day: date) -> str:
    """jan., feb., mars: a month's short name, as an axis shows it."""
    return dates.format_date(day, "LLL", locale=LOCALE)


@lru_cache(maxsize=1024)
def format_month(day: date) -> str:
    """december 2026: the month a day falls in."""
    return f"{dates.format_date(day, 'LLLL', locale=LOCALE)} {day.year}"


def format_period(period: Period) -> str:
    """mars–april 2026; mars 2026 for a period of one month."""
    first = dates.format_date(period.first, "LLLL", locale=LOCALE)
    if (period.first.year, period.first.month) == (period.last.year, period.last.month):
        return f"{first} {period.first.year}"
    last = dates.format_date(period.last, "LLLL", locale=LOCALE)
    return f"{first}–{last} {period.first.year}"


def format_value(value: Any) -> Any:
    if isinstance(value, Text):
        return render(value)
    if isinstance(value, tuple) and value and all(isinstance(v, Text) for v in value):
        return ", ".join(render(v) for v in value)  # a list of translated names
    if isinstance(value, Period):
        return format_period(value)
    if isinstance(value, Money):
        return format_money(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Decimal):
        return format_number(value, 1)
    if isinstance(value, list | tuple):  # a list of things, e.g. the details corrected
        return ", ".join(str(format_value(item)) for item in value)
    return value


def _fill(translated: str, params: dict[str, Any]) -> str:
    if not params:
        return translated
    return translated % {key: format_value(value) for key, value in params.items()}


def gettext(msgid: str, **params: Any) -> str:
    """The Swedish sentence for `msgid`, with its placeholders filled."""
    return _fill(translations().gettext(msgid), params)


def ngettext(singular: str, plural: str, num: int, **params: Any) -> str:
    return _fill(translations().ngettext(singular, plural, num), {"num": num, **params})


def render(text: Text) -> str:
    """A sentence from the domain, in Swedish."""
    return gettext(text.msgid, **dict(text.params))
