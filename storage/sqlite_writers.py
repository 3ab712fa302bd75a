"""The writers of one SQLite file take turns through a lock on a file beside it
(`<database>-writers`) before BEGIN IMMEDIATE: the next writer, in whichever process, starts
the moment the last one's transaction ends.

Why: a writer that finds SQLite's write lock taken polls for it with growing pauses (its busy
handler sleeps 1, 2, 5 … 100 ms between tries). While another process writes steadily
(gunicorn's other worker logging the views of list pages), the poller mostly finds the lock
taken again, and the longer it has waited the less often it looks: 20 clients on the
investigator's list, two workers, saw BEGIN IMMEDIATE wait up to 1.3 s (p99 130–330 ms) and
the page's p99 at 0.58–1 s. Waiting in flock() instead, the kernel wakes the next writer when
the lock is given up: the longest wait was 48 ms (p99 33–41 ms), the page's p99 0.38–0.54 s.

A turn is a file descriptor of its own, so giving it up is closing it; it ends with the
transaction (the connection's commit or rollback, also SQLAlchemy's rollback when the
connection goes back to its pool) or the connection. A writer that has not had its turn
within SQLite's own busy timeout, or cannot open the file, goes on without one: SQLite's own
wait, then its own "database is locked". Only this package's connections queue; any other
writer (the sqlite3 shell) is waited for by SQLite as before.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from typing import Any

# As long as SQLite's busy timeout (storage.db).
WAIT_SECONDS = 30.0
log = logging.getLogger("mm.db")


class QueuedWriters(sqlite3.Connection):
    """A SQLite connection (sqlite3.connect's `factory`) whose writers take turns."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self.queue = queue_of(database, uri=bool(kwargs.get("uri")))
        self.turn: int | None = None

    def take_turn(self, wait_seconds: float = WAIT_SECONDS) -> None:
        """Waits for this connection's turn to write (until its transaction ends)."""
        if self.queue is not None and self.turn is None:
            try:
                self.turn = _turn(self.queue, wait_seconds)
            except OSError:  # no queue to be had here (no room for the file, no descriptor):
                log.warning("no turn to write %s: SQLite's own wait instead", self.queue)
                return
            if self.turn is None:
                log.warning(
                    "no turn to write %s within %s s: SQLite's own wait instead",
                    self.queue,
                    wait_seconds,
                )

    def end_turn(self) -> None:
        turn, self.turn = self.turn, None
        if turn is not None:
            os.close(turn)  # a file's flock() ends with its last descriptor

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.end_turn()


def queue_of(database: Any, *, uri: bool = False) -> str | None:
    """The lock file of a database file; None for a database in memory (one connection)."""
    name = os.fsdecode(database)
    if name in ("", ":memory:") or (uri and "mode=memory" in name):
        return None
    if uri:
        name = name.removeprefix("file:").split("?", 1)[0]
    return f"{name}-writers"


def _turn(queue: str, wait_seconds: float) -> int | None:
    """A descriptor holding the queue's lock, or None after `wait_seconds` without it."""
    held = os.open(queue, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return held
    except BlockingIOError:
        return _waited(held, wait_seconds)
    except BaseException:
        os.close(held)
        raise


def _waited(held: int, wait_seconds: float) -> int | None:
    """flock() has no time limit: a thread of its own waits in the kernel's queue, and the
    asker waits for that thread at most `wait_seconds`. An asker that gives up leaves the
    descriptor to that thread, which closes it once its turn comes."""
    guard = threading.Lock()
    came = threading.Event()
    gave_up = False

    def wait() -> None:
        try:
            fcntl.flock(held, fcntl.LOCK_EX)
        except OSError:
            pass  # no turn: the asker goes on without one when its time is up
        else:
            with guard:
                if not gave_up:
                    came.set()
                    return
        os.close(held)

    threading.Thread(target=wait, name="sqlite-writers", daemon=True).start()
    if came.wait(wait_seconds):
        return held
    with guard:
        if came.is_set():
            return held
        gave_up = True
    return None
