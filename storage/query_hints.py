"""A hint to SQLite's query planner, written once for both databases.

SQLite plans without statistics: where a query's condition on one table could use an index
and its order could come from another table's, it may take the condition's index and sort
every row it finds (the municipality's inbox: 180 ms at national scale against 0.1 ms in
order). A unary `+` before a column tells SQLite not to look that term up by an index
(https://sqlite.org/optoverview.html, "disqualifying WHERE clause terms"); PostgreSQL plans
from statistics and needs no hint, so there the column is written as it is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class not_by_index(FunctionElement[Any]):  # noqa: N801 - reads as SQL
    """The column's value, which SQLite must not find by an index; of the column's type, so
    that what it is compared with is bound as the column's own values are."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[Any] | QueryableAttribute[Any]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(not_by_index)
def _not_by_index(element: not_by_index, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(next(iter(element.clauses)), **kw)
    return f"+{column}" if compiler.dialect.name == "sqlite" else column
