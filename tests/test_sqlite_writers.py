"""SQLite's writers take turns through a lock beside the file (storage.sqlite_writers): a
writer waits in the kernel's queue for the one before it, in this process or another (the
other gunicorn worker), and starts when that one's transaction ends, however it ends."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from storage.db import unit_of_work
from storage.models import Municipality
from storage.sqlite_writers import QueuedWriters, queue_of

ROOT = Path(__file__).resolve().parents[1]


def _queue(sessions) -> str:
    return f"{sessions.kw['bind'].url.database}-writers"


def _held(queue: str) -> bool:
    """Whether a descriptor holds the queue's lock now (asked with one of the test's own)."""
    mine = os.open(queue, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(mine, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(mine)
    return False


@contextmanager
def _holding(queue: str) -> Iterator[None]:
    """The queue's lock, held by the test itself (no SQLite transaction at all)."""
    mine = os.open(queue, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(mine, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(mine)


def _new(name: str, code: str):
    return insert(Municipality).values(name=name, code=code, capacity=1, offer="")


def _add(sessions, name: str, code: str) -> None:
    with unit_of_work(sessions) as session:
        session.execute(_new(name, code))


def _count(sessions) -> int:
    with unit_of_work(sessions, read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(Municipality)) or 0)


def test_a_writer_waits_for_its_turn_even_when_sqlite_itself_is_free(sqlite_sessions):
    queue = _queue(sqlite_sessions)
    with _holding(queue):
        writer = threading.Thread(target=_add, args=(sqlite_sessions, "Hörby", "1266"))
        writer.start()
        writer.join(timeout=0.5)
        assert writer.is_alive()  # SQLite's lock is free: only the turn holds it back
        assert _count(sqlite_sessions) == 4
    writer.join(timeout=20)
    assert not writer.is_alive()
    assert _count(sqlite_sessions) == 5


def test_the_turn_ends_with_the_transaction_however_it_ends(sqlite_sessions):
    queue = _queue(sqlite_sessions)
    with unit_of_work(sqlite_sessions) as session:
        session.execute(_new("Hörby", "1266"))
        assert _held(queue)
    assert not _held(queue)  # committed

    with pytest.raises(RuntimeError), unit_of_work(sqlite_sessions) as session:
        session.execute(_new("Sjöbo", "1265"))
        raise RuntimeError("failed half-way")
    assert not _held(queue)  # rolled back
    assert _count(sqlite_sessions) == 5

    connection = sqlite_sessions.kw["bind"].connect()
    connection.begin()
    connection.execute(select(Municipality.id).limit(1))
    assert _held(queue)
    connection.commit()
    assert not _held(queue)  # committed, the connection still out of its pool
    connection.begin()
    connection.execute(select(Municipality.id).limit(1))
    assert _held(queue)
    connection.close()  # back to the pool without a commit: rolled back there
    assert not _held(queue)

    with unit_of_work(sqlite_sessions, read_only=True) as session:
        session.scalar(select(func.count()).select_from(Municipality))
        assert not _held(queue)  # a reader takes no turn


def test_a_writer_that_gets_no_turn_in_time_goes_on_as_before(sqlite_sessions, caplog):
    """After the wait (SQLite's busy timeout) SQLite's own wait decides; the descriptor that
    was waiting is closed once its turn comes, not left open."""
    queue = _queue(sqlite_sessions)
    path = sqlite_sessions.kw["bind"].url.database
    connection = QueuedWriters(path, isolation_level=None, check_same_thread=False)
    with _holding(queue):
        connection.take_turn(wait_seconds=0.2)
        assert connection.turn is None
        assert "within 0.2 s: SQLite's own wait instead" in caplog.text
        connection.execute("BEGIN IMMEDIATE")  # SQLite's lock is free
        connection.execute(
            "INSERT INTO municipality (name, code, capacity, offer) VALUES ('Hörby', '1266', 1, '')"
        )
        connection.commit()
    assert _count(sqlite_sessions) == 5
    deadline = time.monotonic() + 20
    while _descriptors_of(queue) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _descriptors_of(queue) == 0
    connection.close()


def test_a_writer_whose_queue_cannot_be_opened_goes_on_as_before(tmp_path, caplog):
    connection = QueuedWriters(tmp_path / "test.sqlite3", isolation_level=None)
    connection.queue = str(tmp_path / "gone" / "test.sqlite3-writers")  # no such directory
    connection.take_turn(wait_seconds=0.2)
    assert connection.turn is None
    assert "SQLite's own wait instead" in caplog.text
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("CREATE TABLE seen (id INTEGER)")
    connection.commit()
    connection.close()


def test_a_writer_in_another_process_is_waited_for(sqlite_sessions):
    """As gunicorn's two workers: the other process's transaction holds the turn, and this
    process's writer goes on when it commits, its row after the other's."""
    url = str(sqlite_sessions.kw["bind"].url)
    other = subprocess.Popen(
        [sys.executable, "-c", _OTHER, url],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdin is not None
        assert other.stdout.readline().strip() == "writing"
        assert _held(_queue(sqlite_sessions))
        writer = threading.Thread(target=_add, args=(sqlite_sessions, "Hörby", "1266"))
        writer.start()
        writer.join(timeout=0.5)
        assert writer.is_alive()
        other.stdin.write("commit\n")
        other.stdin.flush()
        writer.join(timeout=20)
        assert not writer.is_alive()
        assert other.wait(timeout=20) == 0
    finally:
        other.kill()
    with unit_of_work(sqlite_sessions, read_only=True) as session:
        added = session.scalars(select(Municipality.name).order_by(Municipality.id)).all()
    assert added[-2:] == ["Sjöbo", "Hörby"]


_OTHER = """
import sys
from sqlalchemy import insert
from storage.db import make_engine
from storage.models import Municipality

engine = make_engine(sys.argv[1])
with engine.begin() as connection:
    connection.execute(insert(Municipality).values(name="Sjöbo", code="1265", capacity=1, offer=""))
    print("writing", flush=True)
    sys.stdin.readline()
engine.dispose()
"""


def _descriptors_of(path: str) -> int:
    target = os.path.realpath(path)
    found = 0
    for name in os.listdir("/proc/self/fd"):
        with suppress(OSError):  # one closed meanwhile
            found += os.readlink(f"/proc/self/fd/{name}") == target
    return found


@pytest.mark.parametrize(
    ("database", "uri", "queue"),
    [
        ("/srv/mm/mm.sqlite3", False, "/srv/mm/mm.sqlite3-writers"),
        ("file:/srv/mm/mm.sqlite3?mode=rw", True, "/srv/mm/mm.sqlite3-writers"),
        (":memory:", False, None),
        ("", False, None),
        ("file:mem?mode=memory&cache=shared", True, None),
    ],
)
def test_the_queue_is_beside_the_file_and_a_database_in_memory_has_none(database, uri, queue):
    assert queue_of(database, uri=uri) == queue
