"""Many rows of one table in one step: PostgreSQL's COPY, else one executemany.

A page that shows 50 participants logs 50 views (services.audit) while it holds the trail's
lock (storage.trail), so the insert's time is every other page's wait. psycopg sends an
executemany as 50 pipelined statements, each bound and answered; COPY streams the rows as
one. The values go through each column's own bind processing first (SQLAlchemy's, the same
an INSERT would apply: enums to their stored form, JSON), so the stored rows are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Inserts `rows` (each with the same keys, the table's column keys) into `table`."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    columns = [table.c[key] for key in rows[0]]
    stored = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(column.name) for column in columns)
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        copy_sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
        with cursor.copy(copy_sql) as copy:
            for row in rows:
                values = [row[column.key] for column in columns]
                copy.write_row(
                    [
                        value if process is None else process(value)
                        for value, process in zip(values, stored, strict=True)
                    ]
                )
