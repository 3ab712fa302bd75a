"""One-time submission keys: a form that creates something carries a random key, and the
work it asks for is done once per key, whatever happens to the request.

The key is claimed by inserting it in the same transaction as the work: a second request
with the same key, in this process or another worker, either finds the first one's row (and
its result) or waits for it on the primary key and then finds it. A transaction that fails
leaves no key behind, so the form can be sent again after a refusal.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.access import Actor
from domain.errors import RuleViolation
from domain.text import N_
from storage.models import Submission

KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEPT = timedelta(days=7)  # a form older than this is refused by its CSRF token anyway
OUT_OF_DATE = N_("The form was changed or is out of date. Reload the page and try again.")


def _earlier(session: Session, key: str, actor: Actor) -> str | None:
    found = session.get(Submission, key, populate_existing=True)
    if found is None:
        return None
    if found.user_id != actor.user_id:  # not a resubmission but someone else's key
        raise RuleViolation(OUT_OF_DATE)
    return found.result


def claim(session: Session, *, key: str | None, actor: Actor, now: datetime) -> str | None:
    """Claims `key` for the work of this transaction and returns None; or, when the same
    form was carried out before, returns what it made (and nothing should be done again)."""
    if not key or not KEY.fullmatch(key):
        raise RuleViolation(OUT_OF_DATE)
    earlier = _earlier(session, key, actor)
    if earlier is not None:
        return earlier
    try:
        with session.begin_nested():
            session.add(Submission(key=key, user_id=actor.user_id, created_at=now, result=""))
    except IntegrityError:
        # Another worker carried out the same form and committed while we looked.
        earlier = _earlier(session, key, actor)
        if earlier is None:
            raise
        return earlier
    session.execute(delete(Submission).where(Submission.created_at < now - KEPT))
    return None


def complete(session: Session, *, key: str, result: str) -> None:
    """What the work made, to show again when the same form comes back."""
    session.get_one(Submission, key).result = result
