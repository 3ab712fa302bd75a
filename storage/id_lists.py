"""A column among a list of values bound as one parameter on PostgreSQL.

psycopg turns a statement's `%(name)s` placeholders into PostgreSQL's `$1` once per statement
and keeps the result, but only for statements of at most 50 parameters (and 4 KB): an
expanding IN over a page's 50 referrals, with one more value beside it, was converted anew
on every request (0.35 ms of a worklist page), and its text, one placeholder per id, was a
new statement for every length of list. On PostgreSQL the list is bound as one array
(`column = ANY(:ids)`, planned as IN is), so the statement is the same whatever the list;
SQLite binds its `?`s without converting anything, and gets the expanding IN.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal


class one_of(ColumnElement[bool]):  # noqa: N801 - reads as SQL
    """`column` is one of the values bound to `name` (a list, given at execution)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it is, not compared with 1 on SQLite
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration: what the cache key holds
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[Any] | QueryableAttribute[Any], name: str) -> None:
        self.column = column.expression if isinstance(column, QueryableAttribute) else column
        self.name = name


@compiles(one_of)
def _expanding(element: one_of, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(one_of, "postgresql")
def _array(element: one_of, compiler: SQLCompiler, **kw: Any) -> str:
    values = bindparam(element.name, type_=ARRAY(element.column.type))
    return compiler.process(element.column == any_(values), **kw)
