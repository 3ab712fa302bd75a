"""The audit log: every time someone is shown a participant's personal data, it is written,
with who (user, role, municipality at the time), when, from which address, what (page or
export), which kinds of data, whose (the referral) and, where asked, why.

Adapters ask here for the personal data instead of reading it themselves: they get it only
if the actor may see it (and has given a reason where one is asked), and the view is logged
in the same transaction, or, for a page that reads in a read-only unit of work, in a short
one of its own (`apart`): the page then holds no write lock while it reads and renders.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session, sessionmaker

from domain.access import Actor, can_see_personal_data
from domain.audit import Field, ParticipantView, Seen, needs_reason, participant_view
from domain.errors import RuleViolation, checked_text
from domain.text import N_
from services.referrals import facts_of
from storage import trail
from storage.db import READ_ONLY, ReadOnlyError, unit_of_work
from storage.models import AuditEntry, Event, Participant, Referral

MAX_REASON = 500
MAX_ADDRESS = 45


@contextmanager
def writing(session: Session, apart: sessionmaker[Session] | None) -> Iterator[Session]:
    """Where an audit row is written: in the caller's unit of work, or (`apart`) in a short
    one of its own, committed before the page goes on."""
    if apart is None:
        yield session
        return
    with unit_of_work(apart) as own:
        yield own


def _entry(
    actor: Actor,
    referral_id: int | None,
    now: datetime,
    address: str,
    seen: Seen,
    fields: list[str],
    reason: str | None,
    query: dict[str, Any] | None,
) -> AuditEntry:
    return AuditEntry(
        at=now,
        user_id=actor.user_id,
        role=actor.role,
        municipality_id=actor.municipality_id,
        referral_id=referral_id,
        action=seen.value,
        address=(address or "")[:MAX_ADDRESS],
        fields=fields,
        reason=reason,
        query=query,
    )


def record_view(
    session: Session,
    *,
    actor: Actor,
    referral_id: int | None,
    now: datetime,
    address: str,
    seen: Seen,
    fields: Iterable[Field] = (),
    reason: str | None = None,
    query: dict[str, Any] | None = None,
) -> AuditEntry:
    shown = [f.value for f in fields]
    entry = _entry(actor, referral_id, now, address, seen, shown, reason, query)
    trail.seal(session, entry)  # its place and hash in the audit log's chain
    session.add(entry)
    return entry


def record_views(
    session: Session,
    *,
    actor: Actor,
    referral_ids: Iterable[int | None],
    now: datetime,
    address: str,
    seen: Seen,
    fields: Iterable[Field] = (),
    apart: sessionmaker[Session] | None = None,
) -> None:
    """One row per referral seen (None: a view of no referral), in the order given, sealed
    into the chain together and written in one statement (the ORM would insert them one by
    one on SQLite): a list of 50 names logs its views as cheaply as one.

    The rows are the table's values, made and serialised before the chain's lock (on SQLite
    the database's one write lock, held until the commit's sync): under it only their places,
    their hashes and the insert. With `apart` they are written in a short unit of work of
    their own, shared with the views other pages of this process log at the same moment
    (`_together`), and committed before this returns."""
    shown = [f.value for f in fields]
    common = dict(
        at=now,
        user_id=actor.user_id,
        role=actor.role,
        municipality_id=actor.municipality_id,
        action=seen.value,
        address=(address or "")[:MAX_ADDRESS],
        reason=None,
        query=None,
    )
    rows = [
        {**common, "referral_id": referral_id, "fields": list(shown)}
        for referral_id in referral_ids
    ]
    if not rows:
        return
    if apart is not None:
        _together(apart).write(apart, rows)
        return
    if session.info.get(READ_ONLY):
        raise ReadOnlyError("a read-only unit of work tried to log views")
    _insert(session, rows)


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    table = trail.table_of(AuditEntry)
    trail.seal_values(session, table.name, rows)
    session.execute(insert(table), rows)


class _Waiting:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.done = threading.Event()
        self.error: BaseException | None = None


class _GroupWrite:
    """Group commit of the views logged apart by one process's threads: a page that finds
    another page's views being written waits, then writes its own together with every other
    page's that came meanwhile, in one unit of work. One lock and one commit (SQLite: one
    sync under its one write lock) for several pages instead of one each; every page still
    returns only once its own rows are committed, or raises what their commit raised."""

    def __init__(self) -> None:
        self.queue_lock = threading.Lock()
        self.writer = threading.Lock()
        self.queued: list[_Waiting] = []

    def write(self, sessions: sessionmaker[Session], rows: list[dict[str, Any]]) -> None:
        mine = _Waiting(rows)
        with self.queue_lock:
            self.queued.append(mine)
        with self.writer:
            if not mine.done.is_set():  # no one has written it meanwhile: this page writes
                with self.queue_lock:
                    batch, self.queued = self.queued, []
                try:
                    with unit_of_work(sessions) as session:
                        _insert(session, [row for page in batch for row in page.rows])
                except BaseException as error:
                    for page in batch:
                        page.error = error
                finally:
                    for page in batch:
                        page.done.set()
        if mine.error is not None:
            raise mine.error


_groups: weakref.WeakKeyDictionary[sessionmaker[Session], _GroupWrite] = weakref.WeakKeyDictionary()
_groups_lock = threading.Lock()


def _together(sessions: sessionmaker[Session]) -> _GroupWrite:
    with _groups_lock:
        group = _groups.get(sessions)
        if group is None:
            group = _groups[sessions] = _GroupWrite()
        return group


def has_acted_on(session: Session, *, actor: Actor, referral_id: int) -> bool:
    """Whether the actor has changed anything on the referral: then it is theirs to follow."""
    return bool(
        session.scalar(
            select(
                exists().where(Event.referral_id == referral_id, Event.actor_id == actor.user_id)
            )
        )
    )


def reason_needed(session: Session, *, actor: Actor, referral: Referral, asking: bool) -> bool:
    if not can_see_personal_data(actor, facts_of(referral)) or referral.participant is None:
        return False
    acted = has_acted_on(session, actor=actor, referral_id=referral.id)
    protected = referral.participant.protected_identity
    return needs_reason(actor.role, acted_on_referral=acted, asking=asking, protected=protected)


def view_of(actor: Actor, referral: Referral) -> ParticipantView:
    """What of the participant this actor is shown on the referral page."""
    participant = referral.participant
    assert participant is not None
    return participant_view(
        actor.role,
        protected=participant.protected_identity,
        has_phone=bool(participant.phone),
        has_needs=bool(participant.needs),
        has_decline_comments=any(r.decline_comment for r in referral.requests),
    )


def checked_reason(reason: str | None) -> str:
    reason = checked_text(reason, MAX_REASON, "reason")
    if len(reason) < 3:
        raise RuleViolation(
            N_("Write a short reason for opening the participant's personal data."),
            field="reason",
        )
    return reason


def personal_data_for(
    session: Session,
    *,
    actor: Actor,
    referral: Referral,
    now: datetime,
    address: str,
    reason: str | None = None,
    asking_reasons: bool = False,
    seen: Seen = Seen.REFERRAL_PAGE,
    fields: Iterable[Field] | None = None,
    apart: sessionmaker[Session] | None = None,
) -> Participant | None:
    """The participant's personal data if the actor may see it (and gave a reason where one
    is asked); the view is logged with the fields shown (by default what the referral page
    shows this actor: domain.audit.participant_view). A protected participant's row is
    marked, so that the log review flags every opening."""
    if not can_see_personal_data(actor, facts_of(referral)) or referral.participant is None:
        return None
    if reason_needed(session, actor=actor, referral=referral, asking=asking_reasons):
        if not reason:
            return None
        reason = checked_reason(reason)
    if fields is None:
        fields = view_of(actor, referral).fields
    elif referral.participant.protected_identity:
        fields = (*fields, Field.PROTECTED_IDENTITY)
    with writing(session, apart) as into:
        record_view(
            into,
            actor=actor,
            referral_id=referral.id,
            now=now,
            address=address,
            seen=seen,
            fields=fields,
            reason=reason or None,
        )
    return referral.participant


def views_of(session: Session, referral_id: int) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.referral_id == referral_id).order_by(AuditEntry.id)
        )
    )


def record_search(
    session: Session, *, actor: Actor, referral_ids: list[int], now: datetime, address: str
) -> None:
    """A search for a person by personnummer: what it found (also that it found nothing).
    The personnummer itself is not written: the referrals found say whose it was."""
    found: list[int | None] = [*referral_ids] or [None]
    record_views(
        session,
        actor=actor,
        referral_ids=found,
        now=now,
        address=address,
        seen=Seen.PERSON_SEARCH,
        fields=(Field.PERSONAL_DETAILS,) if found[0] is not None else (),
    )
