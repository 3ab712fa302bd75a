"""Answers kept in the process for as long as the database reads the same: a report or a chat
answer worked out once per state of the data (storage.db_revision) and given again to every
reader of that state, instead of being worked out again for each of them (issue 24).

Any write committed anywhere renews the key, so a kept answer is never older than what the
reader would have read itself; a unit of work that may write keeps nothing. What is kept is
shared between threads: only immutable values (frozen dataclasses, tuples). Who may see an
answer is checked by the caller before it asks for it, every time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from sqlalchemy.orm import Session

from storage.db_revision import revision

T = TypeVar("T")

# The answers of a few reports and chat pages, each as of the last state it was asked for
# in (a new state replaces the older one); of each name, the least recently asked for go
# first: the chat's askers (one per Slack user) never push a report out. On SQLite each
# pooled connection has a key of its own (storage.db_revision), so an answer may be held
# once per connection. A steering group report is the largest (~1 MB).
LIMIT = 32

# (name, arguments, where the key holds) -> (key, answer), in the order last asked for
_kept: OrderedDict[tuple[str, Hashable, Hashable], tuple[Hashable, Any]] = OrderedDict()
# The answers being worked out now, by slot and key: the threads that ask for one of them
# meanwhile wait for it instead of working it out too (a burst after a write).
_working: dict[tuple[Hashable, Hashable], threading.Event] = {}
_lock = threading.Lock()
# How long a thread waits for another's answer before it works the answer out itself.
WAIT_SECONDS = 10.0


def kept(session: Session, name: str, arguments: Hashable, work: Callable[[], T]) -> T:
    """`work()`'s answer, kept under `name`, `arguments` and what `session` reads."""
    at = revision(session)
    if at is None:
        return work()
    scope, key = at
    slot = (name, arguments, scope)
    underway, mine = None, None
    for attempt in (1, 2):
        if underway is not None:
            underway.wait(WAIT_SECONDS)  # then look again: it may have failed
        with _lock:
            held = _kept.get(slot)
            if held is not None and held[0] == key:
                _kept.move_to_end(slot)
                return cast(T, held[1])
            underway = _working.get((slot, key))
            if underway is None:
                mine = _working[(slot, key)] = threading.Event()
                break
            if attempt == 2:
                break  # the other is still at it: work it out alone, unannounced
    try:
        found = _shared(name, arguments, work())  # outside the lock
        with _lock:
            _kept[slot] = (key, found)
            _kept.move_to_end(slot)
            same = [held for held in _kept if held[0] == name]  # oldest first
            if len(same) > LIMIT:
                del _kept[same[0]]
        return found
    finally:
        if mine is not None:
            with _lock:
                del _working[(slot, key)]
            mine.set()


def _shared(name: str, arguments: Hashable, found: T) -> T:
    """An equal answer already held (another SQLite connection's, of the same data) instead
    of a second copy: one steering group report is ~1 MB, and a worker has one connection a
    thread."""
    with _lock:
        held = [answer for slot, (_key, answer) in _kept.items() if slot[:2] == (name, arguments)]
    return cast(T, next((answer for answer in held if answer == found), found))
