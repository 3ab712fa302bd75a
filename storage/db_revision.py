"""Which state of the whole database a read-only unit of work reads: a key that is the same
for two readers only when they read the same committed data, so that an answer worked out
from it may be kept and given again (services.kept_answers).

PostgreSQL: the snapshot (`pg_current_snapshot()`: the oldest transaction still running, the
next id to be given out, and those running in between). A transaction that writes gets an id,
and when it commits the next reader's snapshot no longer lists it as running, so any write
committed anywhere gives every later reader a new key. The site reads in READ COMMITTED: the
key is read before the answer's own statements, each of which sees at least what it saw.

SQLite: `PRAGMA data_version`, which a connection renews when it finds that another
connection committed (in WAL mode, at the start of its read transaction, which the pragma
itself starts; it then stays as long as that snapshot), together with the connection's own
changes (`total_changes`, which the pragma does not count) and a token of the connection:
both numbers are the connection's own.

Nothing is keyed in a unit of work that may write: it sees its own changes before anyone else
does (None).
"""

from __future__ import annotations

from collections.abc import Hashable
from itertools import count
from typing import Any, cast

from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection

from storage.db import READ_ONLY

_TOKEN = "mm_revision_token"
_HELD = "mm_revision"
_tokens = count(1)
_SNAPSHOT = text("SELECT pg_current_snapshot()::text")
_DATA_VERSION = text("PRAGMA data_version")


def revision(session: Session) -> tuple[Hashable, Hashable] | None:
    """Where the key holds (the engine on PostgreSQL, the pooled connection on SQLite) and
    the key of what `session` reads there; None when it may write (see above)."""
    if not session.info.get(READ_ONLY):
        return None
    if _HELD not in session.info:  # once a unit of work: its later reads are no older
        session.info[_HELD] = _read(session)
    return cast("tuple[Hashable, Hashable] | None", session.info[_HELD])


def _read(session: Session) -> tuple[Hashable, Hashable] | None:
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        # The engine's own: transaction ids are the server's, not one database's.
        return _token(connection.engine), connection.execute(_SNAPSHOT).scalar_one()
    if dialect == "sqlite":
        version = connection.execute(_DATA_VERSION).scalar_one()
        record = connection.connection
        changes = getattr(record.dbapi_connection, "total_changes", None)
        return _token(record), (version, changes)
    return None


def _token(owner: Any) -> int:
    """A number of the engine, or of the pooled connection (its `info` lives as long as the
    driver's connection), never given twice in the process: an id() of a closed one may be."""
    held = owner.info if isinstance(owner, PoolProxiedConnection) else owner.__dict__
    if _TOKEN not in held:
        held[_TOKEN] = next(_tokens)
    return int(held[_TOKEN])
