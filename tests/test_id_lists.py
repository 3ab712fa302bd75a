"""A column among a list of values (storage.id_lists), on SQLite and PostgreSQL: the same rows
as IN, and on PostgreSQL one statement whatever the list's length, with one parameter for
the list (psycopg keeps its conversion of statements of up to 50 parameters only)."""

from __future__ import annotations

from sqlalchemy import bindparam, event, select

from storage.db import unit_of_work
from storage.id_lists import one_of
from storage.models import Municipality

_NAMED = select(Municipality.name).where(one_of(Municipality.id, "ids")).order_by(Municipality.id)


def test_one_of_finds_what_in_finds_with_one_statement_for_any_length(sessions):
    engine = sessions.kw["bind"]
    sent: list[tuple[str, int]] = []

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, len(parameters)))

    with unit_of_work(sessions, read_only=True) as session:
        every = list(session.execute(select(Municipality.id, Municipality.name)))
        ids = [i for i, _name in every]
        in_list = select(Municipality.name).where(
            Municipality.id.in_(bindparam("ids", expanding=True))
        )
        event.listen(engine, "before_cursor_execute", seen)
        try:
            asked = [[], ids[:1], ids, [*ids, *range(10_000, 10_060)]]
            found = [list(session.scalars(_NAMED, {"ids": some})) for some in asked]
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        expected = [sorted(session.scalars(in_list, {"ids": some})) for some in asked]
    assert [sorted(names) for names in found] == expected
    assert found[2] == [name for _i, name in sorted(every)]
    assert found[3] == found[2]  # ids no municipality has find nothing more
    if engine.dialect.name == "postgresql":
        assert len({statement for statement, _n in sent}) == 1
        assert {n for _statement, n in sent} == {1}
