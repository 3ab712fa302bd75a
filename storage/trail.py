"""The hash chains of `audit_log` and `event` in the database (the rules: domain.trail).

`seal` gives a new row its place and hash just before it is added: the last row's place and
hash are read under a lock (PostgreSQL: a transaction-level advisory lock per trail; SQLite:
BEGIN IMMEDIATE already lets one writer in), so two transactions never take the same place.
`values_of` is the one serialisation of a row: every column but the id and the chain's own,
read from the table itself, so a column added later is chained without another edit.

The key: MM_TRAIL_KEY, kept outside the database (as SECRET_KEY); without it plain SHA-256.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import RowMapping, Table, delete, func, inspect, select, text
from sqlalchemy.orm import Session

from domain.trail import (
    CHECKPOINT_FORGED,
    Break,
    ChainRow,
    Start,
    canonical_all,
    checkpoint_signature,
    first_break,
    link_content,
)
from storage.models import AuditEntry, AuditPurgePermit, Base, Event, TrailCheckpoint

TRAILS: dict[str, type[Base]] = {"audit_log": AuditEntry, "event": Event}
_OWN = ("id", "chain_seq", "chain_hash")
# pg_advisory_xact_lock keys, one per trail (any two numbers no other lock uses).
_LOCKS = {"audit_log": 7_201_501, "event": 7_201_502}
KEY_VARIABLE = "MM_TRAIL_KEY"


def trail_key() -> bytes | None:
    key = os.environ.get(KEY_VARIABLE, "").strip()
    return key.encode("utf-8") if key else None


def values_of(table: Table, row: Mapping[str, Any] | RowMapping) -> dict[str, Any]:
    """What a row's hash is over: every column of its table but the id and the chain's."""
    return {name: row[name] for name in _hashed(table)}


@cache
def _hashed(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if c.name not in _OWN)


def table_of(model: type[Base]) -> Table:
    return model.__table__  # type: ignore[return-value]


def _filled(row: Base) -> dict[str, Any]:
    """The row's columns as they will be stored: a column left empty gets its default now,
    so that the hash is over what the database will hold."""
    values: dict[str, Any] = {}
    for attribute in inspect(type(row)).column_attrs:
        column = attribute.columns[0]
        value = getattr(row, attribute.key)
        if value is None and column.default is not None:
            default = column.default
            value = default.arg(None) if default.is_callable else default.arg
            setattr(row, attribute.key, value)
        values[column.name] = value
    return values


def _lock(session: Session, trail: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCKS[trail]})


def _last(session: Session, trail: str) -> Start:
    model = TRAILS[trail]
    found = session.execute(
        select(model.chain_seq, model.chain_hash)  # type: ignore[attr-defined]
        .where(model.chain_seq.is_not(None))  # type: ignore[attr-defined]
        .order_by(model.chain_seq.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()
    if found is not None:
        return Start(found[0], found[1])
    checkpoint = latest_checkpoint(session, trail)
    return Start(checkpoint.through_seq, checkpoint.through_hash) if checkpoint else Start()


def seal(session: Session, row: AuditEntry | Event) -> None:
    """Gives a new row (not yet added) its place in its trail and its hash."""
    seal_all(session, [row])


def seal_all(session: Session, rows: Sequence[AuditEntry | Event]) -> None:
    """Gives new rows of one trail (not yet added) their places, one after another in the
    order given, and their hashes: one lock and one read of the last row for all of them
    (a page that logs 50 views then writes them in one statement, not 100)."""
    if not rows:
        return
    trail = table_of(type(rows[0])).name
    assert all(table_of(type(row)).name == trail for row in rows)  # one chain at a time
    # What each row holds is known before its place: serialised before the lock (on SQLite
    # the first read of a writer takes the database's one write lock), so the lock waits
    # only for the hashes.
    contents = canonical_all(values_of(table_of(type(row)), _filled(row)) for row in rows)
    for row, (seq, hashed) in zip(rows, _chained(session, trail, contents), strict=True):
        row.chain_seq, row.chain_hash = seq, hashed


def seal_values(session: Session, trail: str, rows: Sequence[dict[str, Any]]) -> None:
    """`seal_all` of new rows given as their table's values (a bulk insert's parameters,
    every column but the id and the chain's): the same places and hashes, set in each dict,
    without an ORM object per row. Everything but the places is made before the lock."""
    table = table_of(TRAILS[trail])
    contents = canonical_all(values_of(table, row) for row in rows)
    for row, (seq, hashed) in zip(rows, _chained(session, trail, contents), strict=True):
        row["chain_seq"], row["chain_hash"] = seq, hashed


def _chained(session: Session, trail: str, contents: Sequence[bytes]) -> list[tuple[int, str]]:
    """The places and hashes of rows serialised as `contents`, after the trail's last row."""
    key = trail_key()
    _lock(session, trail)
    last = _last(session, trail)
    seq, previous = last.seq, last.hash
    chained = []
    for content in contents:
        seq += 1
        previous = link_content(previous, seq, content, key)
        chained.append((seq, previous))
    return chained


def latest_checkpoint(session: Session, trail: str) -> TrailCheckpoint | None:
    return session.scalars(
        select(TrailCheckpoint)
        .where(TrailCheckpoint.trail == trail)
        .order_by(TrailCheckpoint.through_seq.desc())
        .limit(1)
    ).first()


def purgeable(session: Session, trail: str, *, before: datetime) -> tuple[int, int]:
    """(place of the last row, number of rows) of the oldest rows of the trail all older than
    `before`: a purge removes the chain's beginning only, so it stays verifiable from the
    checkpoint on. A row past retention written after a newer one waits for a later purge."""
    model = TRAILS[trail]
    seq_column = model.chain_seq  # type: ignore[attr-defined]
    first_kept = session.scalar(
        select(func.min(seq_column)).where(model.at >= before)  # type: ignore[attr-defined]
    )
    through = (
        first_kept - 1
        if first_kept is not None
        else session.scalar(select(func.max(seq_column))) or 0
    )
    rows = session.scalar(select(func.count()).where(seq_column <= through)) or 0
    return int(through), int(rows)


def remove_beginning(session: Session, trail: str, *, before: datetime, now: datetime) -> int:
    """The purge of the trail's rows past retention: a signed checkpoint at the last row
    removed, then the rows up to it. Returns how many went.

    SQLite: the purge permit the triggers ask for (migration 0007). PostgreSQL: the function
    mm_purge_trail (migration 0015), which runs as the owner, removes only rows a checkpoint
    covers; the site's own role may not delete from the trail at all."""
    through, rows = purgeable(session, trail, before=before)
    if not rows:
        return 0
    model = TRAILS[trail]
    seq_column = model.chain_seq  # type: ignore[attr-defined]
    through_hash = session.scalars(
        select(model.chain_hash).where(seq_column == through)  # type: ignore[attr-defined]
    ).one()
    session.add(
        TrailCheckpoint(
            trail=trail,
            at=now,
            through_seq=through,
            through_hash=through_hash,
            rows=rows,
            signature=checkpoint_signature(trail, through, through_hash, now, rows, trail_key()),
        )
    )
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT mm_purge_trail(:trail, :through)"), {"trail": trail, "through": through}
        )
    else:
        permit = AuditPurgePermit(before=before)
        session.add(permit)
        session.flush()
        session.execute(delete(model).where(seq_column <= through))
        session.delete(permit)
    session.flush()
    return rows


def _rows(session: Session, trail: str) -> Iterator[ChainRow]:
    table = table_of(TRAILS[trail])
    unchained = session.execute(
        select(table).where(table.c.chain_seq.is_(None)).order_by(table.c.id).limit(1)
    ).first()
    if unchained is not None:
        yield ChainRow(unchained.id, None, None, {})
        return
    query = select(table).order_by(table.c.chain_seq).execution_options(yield_per=1000)
    for row in session.execute(query).mappings():
        yield ChainRow(row["id"], row["chain_seq"], row["chain_hash"], values_of(table, row))


def verify(session: Session, trail: str) -> Break | None:
    """The first break in the trail's chain, from its genesis or its last checkpoint."""
    key = trail_key()
    checkpoint = latest_checkpoint(session, trail)
    start = Start()
    if checkpoint is not None:
        signature = checkpoint_signature(
            trail,
            checkpoint.through_seq,
            checkpoint.through_hash,
            checkpoint.at,
            checkpoint.rows,
            key,
        )
        if signature != checkpoint.signature:
            return Break(CHECKPOINT_FORGED, trail, checkpoint.id)
        start = Start(checkpoint.through_seq, checkpoint.through_hash)
    return first_break(trail, _rows(session, trail), start, key)
