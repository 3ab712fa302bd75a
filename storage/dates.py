"""Date arithmetic in SQL, the one part of a query that SQLite and PostgreSQL spell
differently: written here once for both, so a query or trigger elsewhere names what it
means (days between two dates, a date plus n days, the date of a moment) and never spells
`julianday(`, `date(`, `::date`, an interval or `AT TIME ZONE` itself
(tests/test_one_rule.py).

Each `*_sql` function is the SQL text for a dialect ("sqlite" or "postgresql"), for trigger
bodies and other SQL written as text; the SQLAlchemy expressions below compile through them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

SQLITE = "sqlite"


def days_between_sql(dialect: str, first: str, second: str) -> str:
    """Whole days from the first date to the second (second − first)."""
    if dialect == SQLITE:
        return f"CAST(julianday({second}) - julianday({first}) AS INTEGER)"
    return f"({second} - {first})"


def days_apart_sql(dialect: str, first: str, second: str) -> str:
    """Days, with fractions, from the first moment to the second."""
    if dialect == SQLITE:
        return f"(julianday({second}) - julianday({first}))"
    apart = f"CAST({second} AS TIMESTAMP) - CAST({first} AS TIMESTAMP)"
    return f"(EXTRACT(EPOCH FROM ({apart})) / 86400.0)"


def day_of_sql(dialect: str, moment: str) -> str:
    """The date of a stored moment: its UTC date (SQLite keeps moments as UTC text), so a
    day's difference at most around midnight."""
    if dialect == SQLITE:
        return f"date({moment})"
    return f"CAST({moment} AT TIME ZONE 'UTC' AS DATE)"


def seconds_of_sql(dialect: str, moment: str) -> str:
    """Whole seconds since 1970 of a stored moment, to order moments as integers."""
    if dialect == SQLITE:
        return f"CAST(strftime('%s', {moment}) AS INTEGER)"
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {moment})) AS BIGINT)"


def plus_days_sql(dialect: str, day: str, days: int) -> str:
    """The date `days` after the date `day` (before it if negative)."""
    if dialect == SQLITE:
        return f"date({day}, '{days:+d} days')"
    return f"({day} + {days})"


def _arguments(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


class days_between(FunctionElement[int]):  # noqa: N801 - reads as SQL
    """Whole days from the first date to the second (second − first), on both databases."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return days_between_sql(compiler.dialect.name, *_arguments(element, compiler, **kw))


class days_apart(FunctionElement[float]):  # noqa: N801 - reads as SQL
    """Days (with fractions) from the first moment to the second, on both databases."""

    type = Float()
    inherit_cache = True


@compiles(days_apart)
def _days_apart(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return days_apart_sql(compiler.dialect.name, *_arguments(element, compiler, **kw))


class day_of(FunctionElement[date]):  # noqa: N801 - reads as SQL
    """The date of a moment (its UTC date: a day's difference at most around midnight)."""

    type = Date()
    inherit_cache = True


@compiles(day_of)
def _day_of(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return day_of_sql(compiler.dialect.name, *_arguments(element, compiler, **kw))
