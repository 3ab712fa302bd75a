"""A request from Slack is taken in once, however often it is delivered.

Slack delivers an event again (with X-Slack-Retry-Num) when the first answer was slow or
lost. Every request is remembered by its key (the event id; for commands and interactions,
which carry one-time trigger ids, a hash of the body) in `chat_request_seen`; a second
delivery of the same key is acknowledged and does nothing. The database, not memory,
remembers: the retry may reach another gunicorn worker.

The key is written by the work the request asks for, after the acknowledgement's timer has
started (bot.app): a database that is busy delays the work, never the acknowledgement.

A slash command that only reads (bot.commands.only_reads: status, platser, budget, anmälan,
hjälp) and is answered within the acknowledgement writes no key: Slack does not redeliver
slash commands (it shows the user a timeout instead; X-Slack-Retry-Num is the Events API's),
and should anything deliver one twice, the repeat is answered again, with the same answer,
to the same person, in the repeat's own response — nothing is posted, stored or sent
twice, and a first answer that was lost is not swallowed. So the command costs one
read-only transaction instead of a write, a commit and SQLite's disk sync under its one
write lock. Its key is written only when its answer is posted later (through response_url),
since a post is seen as often as it is made. Events, interactions and commands that write
are recorded as before.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import unit_of_work
from storage.models import ChatRequestSeen


def request_key(body: dict[str, Any], raw_body: str) -> str:
    event_id = body.get("event_id") if isinstance(body, dict) else None
    if event_id:
        return f"event:{event_id}"[:100]
    text = raw_body or json.dumps(body, sort_keys=True)
    return "body:" + hashlib.sha256(text.encode()).hexdigest()


def first_time(sessions: sessionmaker[Session], key: str, now: datetime) -> bool:
    """Remembers `key`; False when it was remembered before (by any process)."""
    try:
        with unit_of_work(sessions) as session:
            session.add(ChatRequestSeen(key=key, seen_at=now))
    except IntegrityError:
        return False
    return True
