"""The database: SQLite file by default, PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, CursorResult, Engine, Executable, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from storage.sqlite_writers import QueuedWriters

DEFAULT_SQLITE_PATH = Path("instance") / "mojlighetsmodellen.sqlite3"
AFTER_COMMIT = "mm.after_commit"
log = logging.getLogger("mm.db")
T = TypeVar("T")


def database_url() -> str:
    """DATABASE_URL, with the `postgres://` spelling of some hosts accepted."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def owner_database_url() -> str:
    """DATABASE_OWNER_URL: the role that owns the tables, for migrations (`mm db upgrade`);
    the site serves as DATABASE_URL's role, which may not change or delete the trail. The
    same as DATABASE_URL when not set (SQLite, or one role for everything)."""
    owner = os.environ.get("DATABASE_OWNER_URL", "").strip()
    if not owner:
        return database_url()
    return _normalised(owner)


def _normalised(url: str) -> str:
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str | None = None) -> Engine:
    """The engine, with statements' values kept out of its errors (`hide_parameters`): a
    failed statement's error reaches the log, and its values may be personal data."""
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            create_private_file(Path(parsed.database))
        engine = create_engine(
            url,
            # Writers take turns (storage.sqlite_writers) rather than polling for the lock.
            connect_args={"timeout": 30, "factory": QueuedWriters},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_SIZE,
        hide_parameters=True,
    )
    event.listen(engine, "connect", _postgresql_settings)
    return engine


# Connections each process keeps to PostgreSQL: one per gunicorn thread (see the Procfile),
# with as many again for bursts (the chat bot's own threads).
POOL_SIZE = int(os.environ.get("MM_DB_POOL_SIZE", "8"))
READ_ONLY = "mm_read_only"


def create_private_file(path: Path) -> None:
    """A new SQLite file is readable by the service user only (0600), in a directory it
    creates private (0700): it holds personnummer and health information. SQLite gives its
    -wal and -shm files the database file's permissions."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        with suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def readable_by_others(url: str) -> str | None:
    """The SQLite file's path when other users on the machine may read or write it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    path = Path(parsed.database)
    if parsed.database == ":memory:" or not path.exists():
        return None
    return str(path) if path.stat().st_mode & 0o007 else None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:  # DB-API objects: untyped
    # Let SQLAlchemy issue BEGIN itself (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # SQLite's default page cache (2 MiB a connection) is kept: 1 MiB saved ~6 MB a worker,
    # but a scan that no longer fits in it, such as `count(*)` over the placements' index at
    # national scale, took 16 times as long (0.19 against 0.012 ms).
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    if connection.get_execution_options().get(READ_ONLY):
        # A reader in WAL mode sees a snapshot and blocks nobody: readers run side by side.
        connection.exec_driver_sql("BEGIN")
    else:
        # A writer takes the write lock at the start, so two writers queue instead of
        # failing half-way; its turn first, so that it is woken when the lock is free.
        queued = connection.connection.dbapi_connection
        if isinstance(queued, QueuedWriters):
            queued.take_turn()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if isinstance(queued, QueuedWriters):
                queued.end_turn()
            raise


def _postgresql_settings(dbapi_connection: Any, _record: Any) -> None:
    # No parallel plans: the site's statements read a few hundred rows by index, and a
    # parallel plan's Gather spends ~10 ms launching workers for 0.25 ms of work (the
    # coordinator's worklist count at national scale), on a server whose cores are already
    # busy serving other requests.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    dbapi_connection.commit()


def changed_rows(session: Session, statement: Executable) -> int:
    """Rows an UPDATE or DELETE changed: how a compare-and-set learns whether it won."""
    result = cast("CursorResult[Any]", session.execute(statement))
    return result.rowcount


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session], *, read_only: bool = False) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error.

    `read_only` for what only reads (pages, chat answers): on SQLite it does not take the
    write lock, so it never waits for a writer or another reader; PostgreSQL refuses any
    write in it, and so does the session."""
    session = factory()
    if read_only:
        session.info[READ_ONLY] = True
        # PostgreSQL: BEGIN READ ONLY in one statement (psycopg's read_only), not BEGIN and
        # then SET TRANSACTION READ ONLY, a round trip more for every page and answer.
        session.connection(execution_options={READ_ONLY: True, "postgresql_readonly": True})
    try:
        yield session
        # Read-only too: a rollback would expire what was read (expire_on_commit is off).
        session.commit()
    except BaseException:
        session.info.pop(AFTER_COMMIT, None)
        session.rollback()
        raise
    else:
        _run_after_commit(session)
    finally:
        session.close()


# PostgreSQL aborts one of two transactions that wait for each other (deadlock_detected:
# e.g. two writers' triggers adding to the same kept counts in another order) or, under a
# stricter isolation, one that read what another changed (serialization_failure). The other
# carries on; the aborted one changed nothing and may simply run again.
TRANSIENT = frozenset({"40P01", "40001"})
TRIES = 3


def sqlstate(error: BaseException) -> str | None:
    """The database's code for what failed (SQLSTATE), where the driver gives one."""
    return getattr(error.orig, "sqlstate", None) if isinstance(error, DBAPIError) else None


def transient(error: BaseException) -> bool:
    """A database error after which the same unit of work may simply run again."""
    return sqlstate(error) in TRANSIENT


def again_if_transient(work: Callable[[], T]) -> T:
    """`work` (a whole unit of work, begun and ended inside it), run again, up to TRIES times
    in all, when the database aborted it as transient."""
    for number in range(1, TRIES + 1):
        try:
            return work()
        except DBAPIError as error:
            if number == TRIES or not transient(error):
                raise
            log.warning("a transaction was aborted (%s); running it again", sqlstate(error))
    raise AssertionError("unreachable")


def after_commit(session: Session, work: Callable[[], None]) -> None:
    """`work` runs once the unit of work `session` belongs to has committed (never when it
    rolls back): how what a transaction queued (notices.bus) starts being delivered."""
    session.info.setdefault(AFTER_COMMIT, []).append(work)


def _run_after_commit(session: Session) -> None:
    for work in session.info.pop(AFTER_COMMIT, []):
        try:
            work()
        except Exception:  # the change is committed; a sweep delivers what it queued later
            log.exception("work after a commit failed")


@event.listens_for(Session, "before_flush")
def _refuse_writes_when_reading(session: Session, _context: object, _instances: object) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise ReadOnlyError("a read-only unit of work tried to save changes")


class ReadOnlyError(RuntimeError):
    """A programming error: a use case that writes was run in a read-only unit of work."""
