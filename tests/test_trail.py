"""The tamper-evident trail, on both databases: the audit log and the history are hash chains
that `mm audit verify` walks. Untouched, it passes; with the triggers out of the way (as the
database's owner, or anyone holding the SQLite file could), a row changed, deleted or slipped
in out of order is named; the purge leaves a signed checkpoint and the chain stays whole. On
PostgreSQL the site's own role cannot change, delete or unprotect the trail at all."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta
from itertools import permutations

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from domain.audit import Seen
from domain.choices import Role
from domain.trail import (
    CHANGED,
    CHECKPOINT_FORGED,
    DELETED,
    OUT_OF_ORDER,
    Break,
    canonical,
    canonical_all,
)
from locales.phrases import verification_line
from services import audit, purge, verification
from storage.db import make_engine, session_factory, unit_of_work
from tests.support.clock import moment

DAY = date(2026, 11, 23)


@pytest.fixture
def owner_url(request, database_url) -> str:
    """The database as its owner sees it: free to drop triggers (SQLite: the file)."""
    if database_url.startswith("sqlite"):
        return database_url
    return request.getfixturevalue("postgres_migrated")


@pytest.fixture
def trail_rows(world):
    """Some history and some audit rows."""
    investigator = world.user(Role.INVESTIGATOR)
    coordinator = world.user(Role.COORDINATOR)
    for n in range(3):
        referral = world.file(investigator, "Osby", date(2026, 11, 2 + n))
        world.read(
            lambda s, r=referral: audit.record_view(
                s,
                actor=coordinator,
                referral_id=r.id,
                now=moment(DAY, 10),
                address="10.0.0.1",
                seen=Seen.REFERRAL_PAGE,
                reason="Fråga från kommunen",
            )
        )
    return world


def verify(world):
    return world.do(verification.verify_trail, now=moment(DAY, 12))


def as_owner(owner_url: str, *statements: str) -> None:
    """What someone with the owner's rights does, triggers out of the way first."""
    engine = make_engine(owner_url)
    with engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        for table in ("event", "audit_log"):
            if postgres:
                connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            else:
                for trigger in ("no_update", "no_delete"):
                    connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_{trigger}"))
        for statement in statements:
            connection.execute(text(statement))
        if postgres:
            for table in ("event", "audit_log"):
                connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    engine.dispose()


def ids(world, table: str) -> list[int]:
    return world.read(lambda s: list(s.scalars(text(f"SELECT id FROM {table} ORDER BY chain_seq"))))


def test_an_untouched_trail_verifies_and_the_reviewer_sees_it(trail_rows):
    found = verify(trail_rows)
    assert found.whole
    assert verification_line(found).startswith("Kontrollerad 23 nov. 2026 12:00: båda kedjorna")


@pytest.mark.parametrize("table", ["audit_log", "event"])
def test_a_changed_row_is_named(trail_rows, owner_url, table):
    second = ids(trail_rows, table)[1]
    column = "address = '10.6.6.6'" if table == "audit_log" else "at = at"
    if table == "event":
        column = "kind = 'withdrawn'"
    as_owner(owner_url, f"UPDATE {table} SET {column} WHERE id = {second}")
    found = verify(trail_rows)
    assert found.broken == Break(CHANGED, table, second)
    label = "granskningsloggen" if table == "audit_log" else "historiken"
    assert verification_line(found) == (
        f"Kontrollerad 23 nov. 2026 12:00: Rad {second} i {label} ändrades efter att den skrevs."
    )


@pytest.mark.parametrize("table", ["audit_log", "event"])
def test_a_deleted_row_is_named_by_the_row_after_it(trail_rows, owner_url, table):
    rows = ids(trail_rows, table)
    as_owner(owner_url, f"DELETE FROM {table} WHERE id = {rows[1]}")
    assert verify(trail_rows).broken == Break(DELETED, table, rows[2])


def test_a_row_put_back_at_the_end_is_out_of_order(trail_rows, owner_url):
    rows = ids(trail_rows, "audit_log")
    columns = "at, user_id, referral_id, action, role, municipality_id, address, fields, reason"
    columns += ", query, chain_seq, chain_hash"
    as_owner(
        owner_url,
        f"CREATE TEMPORARY TABLE kept AS SELECT * FROM audit_log WHERE id = {rows[0]}",
        f"DELETE FROM audit_log WHERE id = {rows[0]}",
        f"INSERT INTO audit_log ({columns}) SELECT {columns} FROM kept",
    )
    moved = ids(trail_rows, "audit_log")[0]
    assert moved not in rows
    assert verify(trail_rows).broken == Break(OUT_OF_ORDER, "audit_log", moved)


def test_the_purge_leaves_a_signed_checkpoint_and_the_chain_verifies(trail_rows, owner_url):
    five_years = moment(date(2031, 12, 1))
    done = trail_rows.do(purge.purge, now=five_years)
    assert done.audit_rows == 3
    assert ids(trail_rows, "audit_log") == []
    assert verify(trail_rows).whole
    trail_rows.read(
        lambda s: audit.record_view(
            s,
            actor=trail_rows.user(Role.LOG_REVIEWER),
            referral_id=None,
            now=five_years,
            address="",
            seen=Seen.LOG_SEARCH,
        )
    )
    assert verify(trail_rows).whole  # the chain goes on from the checkpoint
    engine = make_engine(owner_url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE trail_checkpoint DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER trail_checkpoint_no_update"))
        connection.execute(text("UPDATE trail_checkpoint SET rows = 1"))
        checkpoint = connection.execute(text("SELECT id FROM trail_checkpoint")).scalar_one()
    engine.dispose()
    assert verify(trail_rows).broken == Break(CHECKPOINT_FORGED, "audit_log", checkpoint)


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv("MM_TRAIL_KEY", "kept-outside-the-database")


def test_with_a_key_a_chain_recomputed_without_it_does_not_verify(keyed, world, monkeypatch):
    world.file(world.user(Role.INVESTIGATOR), "Osby", date(2026, 11, 2))
    assert verify(world).whole
    monkeypatch.delenv("MM_TRAIL_KEY")
    broken = verify(world).broken
    assert broken is not None and broken.msgid == CHANGED


@pytest.mark.postgres
def test_the_sites_role_cannot_change_delete_or_unprotect_the_trail(trail_rows, serving_url):
    if serving_url.startswith("sqlite"):
        pytest.skip("roles are PostgreSQL's")
    served = session_factory(make_engine(serving_url))
    for statement in (
        "UPDATE event SET kind = 'withdrawn'",
        "DELETE FROM event",
        "UPDATE audit_log SET address = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER USER",
        "ALTER TABLE event DISABLE TRIGGER USER",
        "DROP TRIGGER audit_log_append_only ON audit_log",
        "DELETE FROM trail_checkpoint",
        "SELECT mm_purge_trail('audit_log', 100)",  # no checkpoint covers them
    ):
        with pytest.raises(DBAPIError), unit_of_work(served) as session:
            session.execute(text(statement))
    # The hostile run's way in: a permit of its own, then a DELETE.
    with pytest.raises(DBAPIError), unit_of_work(served) as session:
        session.execute(text("INSERT INTO audit_purge_permit (before) VALUES ('2100-01-01')"))
        session.execute(text("DELETE FROM audit_log"))
    # What the site does is allowed: record a view, and purge past retention (a checkpoint
    # first, then the rows through mm_purge_trail).
    with unit_of_work(served) as session:
        audit.record_view(
            session,
            actor=trail_rows.user(Role.LOG_REVIEWER),
            referral_id=None,
            now=moment(DAY, 13),
            address="",
            seen=Seen.LOG_SEARCH,
        )
    assert len(ids(trail_rows, "audit_log")) == 4
    with unit_of_work(served) as session:
        assert purge.purge(session, now=moment(date(2031, 12, 1))).audit_rows == 4
    assert ids(trail_rows, "audit_log") == []
    assert verify(trail_rows).whole
    served.kw["bind"].dispose()


@pytest.mark.slow
def test_mm_audit_verify_passes_untouched_and_names_a_deleted_row(
    tmp_path, sqlite_template, program
):
    import sqlite3

    from tests.support.fresh_state import copy_sqlite_demo
    from tests.support.mm_command import runner

    database = tmp_path / "cli.sqlite3"  # the demo data, loaded once per test process
    copy_sqlite_demo(sqlite_template, program, database)
    mm = runner(database)
    whole = mm("audit", "verify").stdout
    assert whole.startswith("Kontrollerad ") and "båda kedjorna är hela" in whole
    with sqlite3.connect(database) as connection:
        connection.execute("DROP TRIGGER event_no_delete")
        rows = [r[0] for r in connection.execute("SELECT id FROM event ORDER BY chain_seq")]
        connection.execute("DELETE FROM event WHERE id = ?", (rows[10],))
    broken = mm("audit", "verify", ok=False).stdout
    assert f"Rader i historiken togs bort strax före rad {rows[11]}." in broken


def test_views_logged_together_are_chained_one_after_another(trail_rows):
    """A list that shows many names logs its views in one statement (audit.record_views),
    each row in its place in the chain after the single views before it."""
    coordinator = trail_rows.user(Role.COORDINATOR)
    referral_ids = trail_rows.read(lambda s: list(s.scalars(text("SELECT id FROM referral"))))
    trail_rows.do(
        lambda s: audit.record_views(
            s,
            actor=coordinator,
            referral_ids=[*referral_ids, None],
            now=moment(DAY, 11),
            address="10.0.0.1",
            seen=Seen.OWN_LIST,
        )
    )
    trail_rows.read(
        lambda s: audit.record_view(
            s,
            actor=coordinator,
            referral_id=None,
            now=moment(DAY, 11),
            address="",
            seen=Seen.OWN_LIST,
        )
    )
    assert verify(trail_rows).whole
    rows = trail_rows.read(
        lambda s: s.execute(text("SELECT chain_seq, id FROM audit_log ORDER BY id")).all()
    )
    assert [seq for seq, _id in rows] == list(range(1, len(rows) + 1)) and len(rows) == 8


def _log_apart(world, actor, referral_ids, errors) -> None:
    try:
        with unit_of_work(world.sessions, read_only=True) as session:
            audit.record_views(
                session,
                actor=actor,
                referral_ids=referral_ids,
                now=moment(DAY, 11),
                address="10.0.0.1",
                seen=Seen.OWN_LIST,
                apart=world.sessions,
            )
    except Exception as error:
        errors.append(error)


def _pages_at_once(world, pages: list[list[int | None]], actor) -> list[Exception]:
    """The pages' views logged apart by as many threads, all arriving while another page's
    views are being written: they queue and are written together (audit._GroupWrite)."""
    group = audit._together(world.sessions)
    errors: list[Exception] = []
    threads = [
        threading.Thread(target=_log_apart, args=(world, actor, ids, errors)) for ids in pages
    ]
    with group.writer:  # another page writing: every one of these waits for it
        for thread in threads:
            thread.start()
        while len(group.queued) < len(pages):
            time.sleep(0.001)
    for thread in threads:
        thread.join()
    return errors


def test_views_logged_apart_at_once_are_committed_together_and_chained(trail_rows):
    """The investigators' own lists of one process log their names' views apart at the same
    moment: one unit of work (one commit, one sync) for all of them, each page's rows together
    in the chain, every row there before its page goes on, the chain whole."""
    coordinator = trail_rows.user(Role.COORDINATOR)
    referral_ids = trail_rows.read(lambda s: list(s.scalars(text("SELECT id FROM referral"))))
    before = trail_rows.read(lambda s: s.scalar(text("SELECT count(*) FROM audit_log")))
    pages = [[*referral_ids, None], referral_ids[:1], [None, *referral_ids]]
    engine = trail_rows.sessions.kw["bind"]
    inserts: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("INSERT INTO audit_log"):
            inserts.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert _pages_at_once(trail_rows, pages, coordinator) == []
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(inserts) == 1  # the three pages' views in one statement, one unit of work
    assert verify(trail_rows).whole
    written = trail_rows.read(
        lambda s: (
            s.execute(text("SELECT referral_id FROM audit_log ORDER BY chain_seq")).scalars().all()
        )
    )[before:]
    # Each page's rows one after another, the pages in whichever order they came.
    assert any([r for page in order for r in page] == written for order in permutations(pages))


def test_a_failed_commit_of_views_logged_together_fails_every_page(trail_rows, monkeypatch):
    """A page goes on only once its own views are committed: when the unit of work its
    views share with other pages' fails, every one of those pages fails with it."""
    coordinator = trail_rows.user(Role.COORDINATOR)
    before = trail_rows.read(lambda s: s.scalar(text("SELECT count(*) FROM audit_log")))

    def broken(session, rows):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(audit, "_insert", broken)
    errors = _pages_at_once(trail_rows, [[None], [None, None]], coordinator)
    assert [str(e) for e in errors] == ["the disk is full"] * 2
    monkeypatch.undo()
    after = trail_rows.read(lambda s: s.scalar(text("SELECT count(*) FROM audit_log")))
    assert after == before


def test_rows_serialised_together_are_serialised_as_each_alone():
    """A page's views share their moment, role and fields as one object each
    (domain.trail.canonical_all): made plain once, serialised as each row alone is."""
    at = moment(DAY, 9)
    shared = {"at": at, "role": Role.INVESTIGATOR, "fields": ["name", "address"]}
    rows = [
        {**shared, "referral_id": n, "query": {"q": "åäö", "on": DAY}, "reason": None}
        for n in range(3)
    ]
    rows.append({**shared, "at": datetime(2026, 11, 23, 9) + timedelta(hours=5), "score": 1.5})
    together = canonical_all(rows)
    assert together == [canonical(row) for row in rows]
    assert len(set(together)) == len(rows)
    assert b'"role":"investigator"' in together[0]
