"""The tamper-evident trail: the audit log and the event history are each a hash chain.

Every row carries its place in its chain (`seq`, 1, 2, 3, …) and a hash over its content and
the previous row's hash: SHA-256, or HMAC-SHA-256 when a key kept outside the database is
configured. Changing a row breaks its own hash; deleting one leaves a gap in the places;
a row slipped in out of order has a place that does not follow its id's. When the purge
removes rows past their retention it first records a signed checkpoint (the place and hash
of the last row removed), from which the chain goes on.

Pure: the rows come in as plain mappings of column to value (storage.trail makes them).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from domain.text import N_

GENESIS = "0" * 64
TRAIL_LABELS = {"audit_log": N_("the audit log"), "event": N_("the history")}

CHANGED = N_("Row %(id)s of %(trail)s was changed after it was written.")
DELETED = N_("Rows of %(trail)s were deleted just before row %(id)s.")
OUT_OF_ORDER = N_("Row %(id)s of %(trail)s was inserted out of order.")
CHECKPOINT_FORGED = N_("Checkpoint %(id)s of %(trail)s is not genuine.")
UNCHAINED = N_("Row %(id)s of %(trail)s is not in the chain.")


# Exact types (an enum that is also a str is not one of them): most of a row's values are these,
# and they pass before the ABC checks below, which cost more than the rest of a row's hash.
_AS_THEY_ARE = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    if type(value) in _AS_THEY_ARE:
        return value
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical(values: Mapping[str, Any]) -> bytes:
    """One serialisation of a row's content: keys sorted, moments in UTC, enums by value."""
    return canonical_all([values])[0]


def canonical_all(rows: Iterable[Mapping[str, Any]]) -> list[bytes]:
    """`canonical` of each row. A value the rows hold as one object (a page's 50 views share
    their moment, viewer, role and address) is made plain once for all of them."""
    made: dict[int, tuple[Any, Any]] = {}  # id -> (the value, kept alive; its plain form)
    found = []
    for values in rows:
        plain = {}
        for name, value in values.items():
            if type(value) in _AS_THEY_ARE:
                plain[str(name)] = value
                continue
            known = made.get(id(value))
            if known is None:
                known = made[id(value)] = (value, _plain(value))
            plain[str(name)] = known[1]
        serialised = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        found.append(serialised.encode("utf-8"))
    return found


def _digest(message: bytes, key: bytes | None) -> str:
    if key:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()


def link(previous: str, seq: int, values: Mapping[str, Any], key: bytes | None) -> str:
    """The hash of the row at place `seq` whose predecessor's hash is `previous`."""
    return link_content(previous, seq, canonical(values), key)


def link_content(previous: str, seq: int, content: bytes, key: bytes | None) -> str:
    """`link` of a row whose `canonical` serialisation is already made (a writer serialises
    its rows before it takes the lock that gives them their places)."""
    return _digest(f"{previous}\n{seq}\n".encode() + content, key)


def checkpoint_signature(
    trail: str, through_seq: int, through_hash: str, at: datetime, rows: int, key: bytes | None
) -> str:
    """The signature of a checkpoint: what was removed, up to where, and when."""
    return _digest(
        canonical(
            {"trail": trail, "seq": through_seq, "hash": through_hash, "at": at, "rows": rows}
        ),
        key,
    )


@dataclass(frozen=True)
class ChainRow:
    id: int
    seq: int | None
    hash: str | None
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Start:
    """Where a chain begins: its genesis, or the last checkpoint."""

    seq: int = 0
    hash: str = GENESIS


@dataclass(frozen=True)
class Break:
    """The first thing wrong in a chain: the sentence, the table and the row."""

    msgid: str
    trail: str
    row_id: int


@dataclass(frozen=True)
class Verification:
    """A run of the verification: when, and the first break found (None: both whole)."""

    at: datetime
    broken: Break | None

    @property
    def whole(self) -> bool:
        return self.broken is None


def first_break(
    trail: str, rows: Iterable[ChainRow], start: Start, key: bytes | None
) -> Break | None:
    """Walks the rows in the order of their places; the first row deleted before, changed or
    inserted out of order, or None when the chain is whole."""
    seq, previous, last_id = start.seq, start.hash, 0
    for row in rows:
        if row.seq is None or row.hash is None:
            return Break(UNCHAINED, trail, row.id)
        if row.seq > seq + 1:
            return Break(DELETED, trail, row.id)
        if row.seq <= seq:
            return Break(OUT_OF_ORDER, trail, row.id)
        if row.id < last_id:  # the row before took a place its id is too new for
            return Break(OUT_OF_ORDER, trail, last_id)
        if not hmac.compare_digest(link(previous, row.seq, row.values, key), row.hash):
            return Break(CHANGED, trail, row.id)
        seq, previous, last_id = row.seq, row.hash, row.id
    return None
