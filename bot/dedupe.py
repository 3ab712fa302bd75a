"""A request from Slack is taken in once, however often it is delivered.

Slack delivers an event again (with X-Slack-Retry-Num) when the first answer was slow or
lost. Every request that passed the signature check is remembered by its key (the event id;
for commands and interactions, which carry one-time trigger ids, a hash of the body) in
`chat_request_seen`; a second delivery of the same key is acknowledged and does nothing.
The database, not memory, remembers: the retry may reach another gunicorn worker.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from domain.clock import Clock
from storage.db import unit_of_work
from storage.models import ChatRequestSeen

log = logging.getLogger("mm.chat")


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


def middleware(
    sessions: sessionmaker[Session], clock: Clock
) -> Callable[[BoltRequest, BoltResponse, Callable[[], BoltResponse]], BoltResponse | None]:
    def deduplicate(
        req: BoltRequest, resp: BoltResponse, next_: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        key = request_key(req.body, req.raw_body)
        try:
            fresh = first_time(sessions, key, clock.now())
        except SQLAlchemyError:
            log.exception("could not record a Slack request; handling it anyway")
            fresh = True
        if fresh:
            return next_()
        retry = (req.headers.get("x-slack-retry-num") or ["-"])[0]
        log.info("Slack delivered %s again (retry %s): already handled", key, retry)
        return BoltResponse(status=200, body="")

    return deduplicate
