"""A test's database in the state its fixture promises, made in milliseconds rather than by
doing it all again: `database_url` empty, `sessions` with the program installed.

Installing the program writes every municipality's kept figures for every day of the program
(its triggers): ~0.1 s on SQLite, ~0.4 s on PostgreSQL, where emptying ~70 tables with
TRUNCATE took another ~0.3 s. A test process runs some 500 of each. So the first install is
done as before and kept: on SQLite a file to copy, on PostgreSQL its rows (COPY, binary)
and its sequences' values, written back as they were with the triggers off (the rows are the
triggers' own output already). The state is the same as an install's, row for row, with a new
random revision of the program as an install gives it; only a database that is not empty,
another program or a trail key falls back to installing.

On PostgreSQL that needs a superuser (session_replication_role); the test server's owner is
one, a server of your own (MM_TEST_POSTGRES_URL) may not be: then it is done as before."""

from __future__ import annotations

import io
import os
import secrets
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from domain.program import Program
from services.program_setup import install_program
from storage import crypto, trail
from storage.db import make_engine, session_factory, unit_of_work
from storage.models import Base
from tests.support.clock import moment

INSTALLED_AT = moment(date(2026, 1, 1))  # when `sessions` installs the program
DEMO_AT = moment(date(2026, 11, 23), hour=6)  # when the tests' demo data is loaded


def _installed_key(program: Program) -> tuple[Program, bytes | None]:
    # The install's event is hashed into the trail with the key of the moment.
    return program, trail.trail_key()


# -- SQLite: a file with the program installed, copied ------------------------------------

_sqlite_files: dict[tuple[str, Program, bytes | None], Path] = {}


def sqlite_installed(template: str, program: Program, now: datetime) -> Path:
    """A file made from `template` (the migrated schema) with `program` installed at `now`,
    made once per process (and trail key), for tests to copy."""
    key = (template, *_installed_key(program))
    if key not in _sqlite_files:
        path = Path(template).with_name(f"installed-{len(_sqlite_files)}.sqlite3")
        shutil.copy(template, path)
        engine = make_engine(f"sqlite:///{path}")
        with unit_of_work(session_factory(engine)) as session:
            install_program(session, program, now=now)
        engine.dispose()  # the last connection closed: the write-ahead log is in the file
        _sqlite_files[key] = path
    return _sqlite_files[key]


def copy_sqlite(made: Path, path: Path) -> None:
    """A copy of a file `sqlite_installed` or `sqlite_with_demo` made, at `path`, whose program
    has a revision of its own, as an install gives it: processes keep the program they read
    per revision (storage.program_store), and a test's database is not another test's."""
    shutil.copy(made, path)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA synchronous = OFF")  # a test's file: no need to sync it
        connection.execute("UPDATE program SET revision = ?", (secrets.token_hex(16),))
    connection.close()


def copy_sqlite_demo(template: str, program: Program, path: Path) -> None:
    """At `path`, the demo data loaded at DEMO_AT over `program` installed at INSTALLED_AT in
    `template`: loaded once per test process, then copied (`copy_sqlite`)."""
    installed = sqlite_installed(template, program, INSTALLED_AT)
    copy_sqlite(sqlite_with_demo(installed, DEMO_AT), path)


_sqlite_demos: dict[tuple[Path, datetime, str | None, str | None], Path] = {}


def sqlite_with_demo(installed: Path, at: datetime) -> Path:
    """A copy of `installed` (see `sqlite_installed`) with `mm demo`'s data loaded at `at`,
    made once per process (and key to the personal data), for tests to copy."""
    from cli.demo_data import load_demo_data

    key = (installed, at, os.environ.get(crypto.ENV_KEY), os.environ.get(crypto.ENV_KEY_FILE))
    if key not in _sqlite_demos:
        path = installed.with_name(f"demo-{len(_sqlite_demos)}.sqlite3")
        shutil.copy(installed, path)
        engine = make_engine(f"sqlite:///{path}")
        with unit_of_work(session_factory(engine)) as session:
            load_demo_data(session, now=at)
        engine.dispose()
        _sqlite_demos[key] = path
    return _sqlite_demos[key]


# -- PostgreSQL: emptied and filled again by the owner, triggers off -----------------------


@dataclass
class _Kept:
    rows: dict[str, bytes]  # table -> COPY … (FORMAT BINARY)
    counts: dict[str, int]  # table -> rows
    sequences: list[tuple[str, int, bool]]  # (sequence, last_value, is_called)


@dataclass
class PostgresState:
    """The tables of the models in one PostgreSQL database, emptied or set to the program's
    install by the database's owner."""

    url: str
    _engine: Engine = field(init=False)
    _tables: list[str] = field(init=False)
    _referenced: set[str] = field(init=False)
    _sequences: list[tuple[str, int]] = field(init=False)  # (sequence, start)
    _superuser: bool = field(init=False)
    _kept: dict[tuple[Program, bytes | None], _Kept] = field(default_factory=dict)
    # The install last written back, and the transaction that wrote it: a row of a kept
    # table whose xmin is not newer was written by it or left as it was since.
    _written: tuple[tuple[Program, bytes | None], int] | None = None
    _installed_by_reset: bool = False

    def __post_init__(self) -> None:
        self._engine = make_engine(self.url)
        tables = Base.metadata.sorted_tables
        self._tables = [t.name for t in tables]
        self._referenced = {fk.column.table.name for t in tables for fk in t.foreign_keys}
        with self._engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            self._superuser = bool(cursor.fetchone()[0])
            # The sequences TRUNCATE … RESTART IDENTITY restarts: those the tables own.
            cursor.execute(
                "SELECT s.oid::regclass::text, q.seqstart FROM pg_class s"
                " JOIN pg_sequence q ON q.seqrelid = s.oid"
                " JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')"
                " JOIN pg_class t ON t.oid = d.refobjid"
                " WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace",
                (self._tables,),
            )
            self._sequences = [(name, int(start)) for name, start in cursor.fetchall()]
            connection.rollback()

    def close(self) -> None:
        self._engine.dispose()

    def _filled(self, cursor: Any) -> list[str]:
        """The tables that hold a row: one statement, a look at each table's first page."""
        cursor.execute(" UNION ALL ".join(_if_filled(name) for name in self._tables))
        return [row[0] for row in cursor.fetchall()]

    def empty(self) -> None:
        """Every table empty and every sequence restarted, as TRUNCATE … RESTART IDENTITY."""
        self._written, self._installed_by_reset = None, False
        with self._engine.begin() as connection:
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            if not self._superuser:
                names = ", ".join(f'"{name}"' for name in self._tables)
                cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
                return
            filled = self._filled(cursor)
            cursor.execute("SET LOCAL session_replication_role = replica")
            self._clear(cursor, filled)
            self._set_sequences(cursor, [(name, start, False) for name, start in self._sequences])

    def _clear(self, cursor: Any, names: list[str]) -> None:
        """Empties the tables, triggers off: a table another one refers to by DELETE (TRUNCATE
        would have to take all that refer to it, filled or not), the others by TRUNCATE, which
        leaves no dead rows."""
        leaves = [name for name in names if name not in self._referenced]
        if leaves:
            cursor.execute("TRUNCATE " + ", ".join(f'"{name}"' for name in leaves))
        for name in names:
            if name in self._referenced:
                cursor.execute(f'DELETE FROM "{name}"')

    def reset_installed(self, program: Program, now: datetime) -> None:
        """`empty` and `install` in one step, for a test that asks for both: where the install
        was written back before, only the tables that differ from it are emptied and written
        again (a kept table with another number of rows or a row written since; any other
        table that holds a row)."""
        key = _installed_key(program)
        kept = self._kept.get(key) if self._superuser else None
        if kept is None:
            self.empty()
            self.install(program, now)
            return
        with self._engine.begin() as connection:
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            written = self._written[1] if self._written and self._written[0] == key else None
            dirty = self._differing(cursor, kept, written)
            cursor.execute("SET LOCAL session_replication_role = replica")
            self._clear(cursor, dirty)
            self._write_back(cursor, kept, [name for name in dirty if name in kept.rows])
            self._written = (key, self._transaction(cursor))
        self._installed_by_reset = True

    def _differing(self, cursor: Any, kept: _Kept, written: int | None) -> list[str]:
        checks = []
        for name in self._tables:
            if name not in kept.rows:
                checks.append(_if_filled(name))
            elif written is None:
                checks.append(f"SELECT '{name}'")
            else:
                rows, table = kept.counts[name], f'"{name}"'
                checks.append(
                    f"SELECT '{name}' WHERE (SELECT count(*) FROM {table}) <> {rows}"
                    f" OR EXISTS (SELECT 1 FROM {table} WHERE xmin::text::bigint > {written})"
                )
        cursor.execute(" UNION ALL ".join(checks))
        return [row[0] for row in cursor.fetchall()]

    def _write_back(self, cursor: Any, kept: _Kept, names: list[str]) -> None:
        """The kept rows of `names` (emptied), every sequence as the install left it, and a
        new revision of the program, as an install draws (see `copy_sqlite`)."""
        for name in names:
            with cursor.copy(f'COPY "{name}" FROM STDIN (FORMAT BINARY)') as copy:
                copy.write(kept.rows[name])
        self._set_sequences(cursor, kept.sequences)
        cursor.execute("UPDATE program SET revision = %s", (secrets.token_hex(16),))

    @staticmethod
    def _set_sequences(cursor: Any, values: list[tuple[str, int, bool]]) -> None:
        if values:
            calls = ", ".join("setval(%s::regclass, %s, %s)" for _ in values)
            cursor.execute(f"SELECT {calls}", [v for value in values for v in value])

    def install(self, program: Program, now: datetime) -> None:
        """`program` installed at `now` in the emptied database: the kept rows of the first
        install of this process written back, or installed (and kept) where there are none
        or the database is not empty."""
        if self._installed_by_reset:  # `reset_installed` has done it for this test
            self._installed_by_reset = False
            return
        key = _installed_key(program)
        if self._superuser and key in self._kept and self._restored(key):
            return
        with unit_of_work(session_factory(self._engine)) as session:
            install_program(session, program, now=now)
        if self._superuser and key not in self._kept:
            self._kept[key] = self._keep()

    def _keep(self) -> _Kept:
        with self._engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            rows, counts = {}, {}
            for name in self._filled(cursor):
                cursor.execute(f'SELECT count(*) FROM "{name}"')
                counts[name] = int(cursor.fetchone()[0])
                data = io.BytesIO()
                with cursor.copy(f'COPY "{name}" TO STDOUT (FORMAT BINARY)') as copy:
                    for chunk in copy:
                        data.write(chunk)
                rows[name] = data.getvalue()
            sequences = []
            for name, _start in self._sequences:
                cursor.execute(f"SELECT last_value, is_called FROM {name}")
                last_value, is_called = cursor.fetchone()
                sequences.append((name, int(last_value), bool(is_called)))
            connection.rollback()
        return _Kept(rows, counts, sequences)

    def _restored(self, key: tuple[Program, bytes | None]) -> bool:
        kept = self._kept[key]
        with self._engine.begin() as connection:
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            if self._filled(cursor):
                return False
            # The rows are the triggers' output already: written with the triggers off.
            cursor.execute("SET LOCAL session_replication_role = replica")
            self._write_back(cursor, kept, list(kept.rows))
            self._written = (key, self._transaction(cursor))
        return True

    @staticmethod
    def _transaction(cursor: Any) -> int:
        """This transaction's id as a row's xmin shows it (32 bits, without the epoch)."""
        cursor.execute("SELECT txid_current() % 4294967296")
        return int(cursor.fetchone()[0])


def _if_filled(table: str) -> str:
    """SQL that gives the table's name if it holds a row."""
    return f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM \"{table}\")"
