"""Date arithmetic in SQL, the one part of a query that SQLite and PostgreSQL spell
differently: written here once for both, so a query or trigger elsewhere names what it
means (days between two dates, a date plus n days, the date of a moment) and never spells
`julianday(`, `date(`, `::date` or an interval itself (tests/test_one_rule.py).

Queries use the SQLAlchemy expressions; the trigger bodies of storage.figure_triggers are
SQL text and use `plus_days_sql`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class days_between(FunctionElement[int]):  # noqa: N801 - reads as SQL
    """Whole days from the first date to the second (second − first), on both databases."""

    type = Integer()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    first, second = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(julianday({second}) - julianday({first}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_between_postgresql(
    element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any
) -> str:
    first, second = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({second} - {first})"


class days_apart(FunctionElement[float]):  # noqa: N801 - reads as SQL
    """Days (with fractions) from the first moment to the second, on both databases."""

    type = Float()
    inherit_cache = True


@compiles(days_apart, "sqlite")
def _days_apart_sqlite(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    first, second = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(julianday({second}) - julianday({first}))"


@compiles(days_apart, "postgresql")
def _days_apart_postgresql(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    first, second = (compiler.process(arg, **kw) for arg in element.clauses)
    apart = f"CAST({second} AS TIMESTAMP) - CAST({first} AS TIMESTAMP)"
    return f"(EXTRACT(EPOCH FROM ({apart})) / 86400.0)"


class day_of(FunctionElement[date]):  # noqa: N801 - reads as SQL
    """The date of a moment (its UTC date: a day's difference at most around midnight)."""

    type = Date()
    inherit_cache = True


@compiles(day_of, "sqlite")
def _day_of_sqlite(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date({moment})"


@compiles(day_of, "postgresql")
def _day_of_postgresql(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST({moment} AT TIME ZONE 'UTC' AS DATE)"


def plus_days_sql(dialect: str, expression: str, days: int) -> str:
    """SQL text for the date `days` after the date `expression` (before it if negative), for
    trigger bodies and other SQL written as text (`dialect`: "sqlite" or "postgresql")."""
    if dialect == "sqlite":
        return f"date({expression}, '{days:+d} days')"
    return f"({expression} + {days})"
