"""What the worklists list, read from the kept items (`work_item`, storage.worklist_triggers):
codes, municipalities and dates only, never personal data.

An item is on today's list when the day it counts from (`anchor`) lies in its kind's window,
the rules of domain.deadlines written as bounds (`_window`): a count is an index range, and
a page a keyset range on (anchor, at_seconds, reference_code, source_id). All kinds are
counted in one statement and paged in another, however long the program has run; the
worklist's use case (services.worklist) applies the rules again to each row it shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, or_, select, tuple_, union_all
from sqlalchemy.orm import Session

from domain.deadlines import ENDING_SOON, Task
from domain.enrolment import ASSESSMENT_PLAN_DEADLINE, WORKPLACE_TRAINING_DEADLINE
from storage.models import KeptWorkItem, Meeting, Municipality

W = KeptWorkItem
KEY = (W.anchor, W.at_seconds, W.reference_code, W.source_id)


@dataclass(frozen=True)
class Scope:
    """Whose worklist: one municipality's, one investigator's, or everything (None)."""

    municipality_id: int | None = None
    investigator_id: int | None = None


@dataclass(frozen=True)
class Key:
    """Where an item stands in its list; a page link names the last (or first) row's, as text."""

    anchor: date
    at_seconds: int
    reference_code: str
    source_id: int

    def text(self) -> str:
        return f"{self.anchor.isoformat()}.{self.at_seconds}.{self.reference_code}.{self.source_id}"

    @classmethod
    def parse(cls, raw: str | None) -> Key | None:
        """The key a link named (None for anything else: the list then starts over)."""
        parts = (raw or "").split(".")
        try:
            return cls(
                date.fromisoformat(parts[0]), int(parts[1]), ".".join(parts[2:-1]), int(parts[-1])
            )
        except (ValueError, IndexError):
            return None


@dataclass(frozen=True)
class Wanted:
    """One kind's page: by offset (`number`), or the rows after or before a key."""

    task: Task
    size: int
    offset: int = 0
    after: Key | None = None
    before: Key | None = None


def _window(task: Task, today: date, horizon: date) -> tuple[date | None, date | None]:
    """The days an item's anchor lies between when it is on today's list (None: open);
    `horizon` is the last of the coming working days."""
    if task in (Task.HOLD_MEETING, Task.FOLLOW_UP):
        return today, horizon
    if task in (Task.RECORD_MEETING, Task.RECORD_FOLLOW_UP):
        return None, today - timedelta(days=1)
    if task is Task.ASSESSMENT_PLAN:  # due by the horizon, or late
        return None, horizon - ASSESSMENT_PLAN_DEADLINE
    if task is Task.WORKPLACE_TRAINING:
        return None, horizon - WORKPLACE_TRAINING_DEADLINE
    if task is Task.ENDING:
        return None, today + ENDING_SOON
    return None, None  # requests, declines, reports and plans missing, follow-ups to book


def _where(task: Task, scope: Scope, today: date, horizon: date) -> list[ColumnElement[bool]]:
    conditions = [W.kind == task.value]
    if scope.municipality_id is not None:
        conditions.append(W.municipality_id == scope.municipality_id)
    if scope.investigator_id is not None:
        conditions.append(W.investigator_id == scope.investigator_id)
    first, last = _window(task, today, horizon)
    if first is not None:
        conditions.append(W.anchor >= first)
    if last is not None:
        conditions.append(W.anchor <= last)
    if task is Task.BOOK_FOLLOW_UP:  # no follow-up booked from today on
        conditions.append(or_(W.booked_until.is_(None), W.booked_until < today))
    return conditions


def counts(
    session: Session, tasks: Sequence[Task], scope: Scope, today: date, horizon: date
) -> dict[Task, int]:
    """How many items of each kind are on the list today, in one statement."""
    if not tasks:
        return {}
    parts = [
        select(literal(t.value).label("kind"), func.count().label("n"))
        .select_from(W)
        .where(*_where(t, scope, today, horizon))
        for t in tasks
    ]
    found = {kind: n for kind, n in session.execute(union_all(*parts))}
    return {t: found.get(t.value, 0) for t in tasks}


def _part(wanted: Wanted, scope: Scope, today: date, horizon: date) -> Select[Any]:
    columns: list[Any] = [W.kind, W.referral_id, W.municipality_id, *KEY]
    query = select(*columns).where(*_where(wanted.task, scope, today, horizon))
    if wanted.after is not None or wanted.before is not None:
        mark = wanted.after or wanted.before
        assert mark is not None
        values = (mark.anchor, mark.at_seconds, mark.reference_code, mark.source_id)
        later = wanted.after is not None
        bound = tuple_(*(literal(v, type_=k.type) for k, v in zip(KEY, values, strict=True)))
        query = query.where(tuple_(*KEY) > bound if later else tuple_(*KEY) < bound)
        return query.order_by(*(k if later else k.desc() for k in KEY)).limit(wanted.size)
    return query.order_by(*KEY).limit(wanted.size).offset(wanted.offset)


def rows(
    session: Session, wanted: Sequence[Wanted], scope: Scope, today: date, horizon: date
) -> dict[Task, list[Any]]:
    """One page of each kind wanted, oldest first, in one statement: (referral id, code,
    municipality, anchor, at_seconds, key)."""
    if not wanted:
        return {}
    pages = union_all(*(select(_part(w, scope, today, horizon).subquery()) for w in wanted))
    paged = pages.subquery()
    query = select(paged, Municipality.name.label("municipality")).outerjoin(
        Municipality, Municipality.id == paged.c.municipality_id
    )
    found: dict[Task, list[Any]] = {w.task: [] for w in wanted}
    for row in session.execute(query):
        found[Task(row.kind)].append(row)
    for listed in found.values():  # a compound statement keeps no order of its own
        listed.sort(key=lambda r: (r.anchor, r.at_seconds, r.reference_code, r.source_id))
    return found


def key_of(row: Any) -> Key:
    return Key(row.anchor, row.at_seconds, row.reference_code, row.source_id)


def next_meetings(session: Session, referral_ids: list[int], today: date) -> dict[int, date]:
    """The next meeting not yet held of each referral (tripartite or follow-up)."""
    if not referral_ids:
        return {}
    query = (
        select(Meeting.referral_id, func.min(Meeting.on))
        .where(
            Meeting.referral_id.in_(referral_ids),
            Meeting.held_on.is_(None),
            Meeting.on >= today,
        )
        .group_by(Meeting.referral_id)
    )
    return {referral_id: on for referral_id, on in session.execute(query)}
