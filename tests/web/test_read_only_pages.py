"""Pages that only read take no write lock: on SQLite a unit of work that may write begins
with BEGIN IMMEDIATE, the database's one write lock, and every other writer (and every page
that waits for it) queues behind it. A page that shows personal data writes its audit row
in a short unit of work of its own, the one write it takes; the others take none."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

# (who looks, the page, write locks taken: 1 for the audit row of a view of personal data)
PAGES = [
    (None, "/tillganglighet", 0),
    (None, "/personuppgifter", 0),
    ("investigator", "/anmalan/ny", 0),
    ("investigator", "/anmalan/R/skickad", 0),
    ("investigator", "/anmalningar/R/aterkalla", 0),
    ("investigator", "/anmalningar/R", 1),
    ("investigator", "/anmalningar/R/deltagare", 1),
    ("investigator", "/mina-installningar", 0),
    ("investigator", "/mina-installningar/uppgifter", 0),
    ("investigator", "/koppla/some-token", 0),
    ("osby", "/anmalningar/P", 1),
    ("osby", "/anmalningar/P/dokument/plan", 1),
    ("admin", "/anvandare", 0),
    ("admin", "/anvandare/ny", 0),
    ("admin", "/anvandare/U", 0),
    ("admin", "/anvandare/historik", 0),
    ("admin", "/kommuner", 0),
    ("admin", "/leveranser", 0),
    ("admin", "/api-nycklar", 0),
    ("admin", "/webhooks", 0),
    ("log_reviewer", "/loggkontroll", 0),
    ("log_reviewer", "/loggkontroll/granskningar", 0),
]


@pytest.mark.parametrize(("who", "path", "locks"), PAGES)
def test_a_page_that_only_reads_takes_no_write_lock(visit, people, sqlite_world, who, path, locks):
    requested = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    running = sqlite_world.started(
        people["investigator"], people["osby"], "Osby", date(2026, 11, 2)
    )
    real = (
        path.replace("/R", "/" + requested.reference_code)
        .replace("/P", "/" + running.reference_code)
        .replace("/U", "/" + str(people["investigator"].user_id))
    )
    visitor = visit(people[who] if who else None)
    visitor.get(real)  # the session's row is touched on a first visit
    engine = visitor.app.extensions["mm.sessions"].kw["bind"]
    run: list[str] = []

    def statement(_conn, _cursor, text, *_args) -> None:
        run.append(text)

    def commit(_conn) -> None:
        run.append("COMMIT")

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        page = visitor.get(real)
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)
    assert page.status == 200, (who, path)
    assert run.count("BEGIN IMMEDIATE") == locks, (who, path, run)
    # While it holds the lock, it writes the audit row and nothing else: it reads the page
    # before and after, in a read-only unit of work.
    holding = False
    for text in run:
        holding = text == "BEGIN IMMEDIATE" or (holding and text != "COMMIT")
        if holding and text != "BEGIN IMMEDIATE":
            assert "audit_log" in text, (who, path, text)
