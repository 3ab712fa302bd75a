"""How much work the database did for a piece of code: the statements it ran and, on SQLite,
its virtual-machine steps (in thousands), which grow with the rows a query reads and sorts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


@contextmanager
def work_done(engine: Any) -> Iterator[tuple[list[str], list[int]]]:
    steps = [0]
    statements: list[str] = []

    def step() -> int:
        steps[0] += 1
        return 0

    def count(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)
        conn.connection.driver_connection.set_progress_handler(step, 1000)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements, steps
    finally:
        event.remove(engine, "before_cursor_execute", count)


@contextmanager
def statements(engine: Any) -> Iterator[list[str]]:
    """The statements `engine` runs in the block, in order, on either database."""
    found: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        found.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", seen)
