"""Another process holding the database's write lock, as a busy worker or a long migration
would: SQLite's exclusive lock on the file, or on PostgreSQL an ACCESS EXCLUSIVE lock on
every table (nobody reads or writes them until it ends)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from storage.models import Base

_SQLITE = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""

_POSTGRES = """
import sys, time
import psycopg
with psycopg.connect(sys.argv[1]) as connection:
    with connection.transaction():
        for table in sys.argv[3:]:
            connection.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
"""


@contextmanager
def write_lock_held(database_url: str, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Yields once the other process holds the lock; it lets go after `seconds`."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        command = [sys.executable, "-c", _SQLITE, str(url.database), str(seconds)]
    else:
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        tables = [table.name for table in Base.metadata.sorted_tables]
        command = [sys.executable, "-c", _POSTGRES, plain, str(seconds), *tables]
    holder = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        line = holder.stdout.readline().strip()
        assert line == "locked", holder.stderr.read() if holder.stderr else line
        yield holder
    finally:
        holder.wait(timeout=seconds + 30)
