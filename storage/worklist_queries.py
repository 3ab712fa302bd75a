"""What the worklists list, read from the kept items (`work_item`, storage.worklist_triggers):
codes, municipalities and dates only, never personal data.

An item is on today's list when the day it counts from (`anchor`) lies in its kind's window,
the rules of domain.deadlines written as bounds (`_window`): a count is an index range, and
a page a keyset range on (anchor, at_seconds, reference_code, source_id). All kinds are
counted in one statement and paged in another, however long the program has run; the
worklist's use case (services.worklist) applies the rules again to each row it shows.
Each statement is built once per process for its shape (whose list, which kinds, paged how)
and the days, scope and keys go in as parameters: a request builds no SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    bindparam,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from domain.deadlines import ENDING_SOON, Task
from domain.enrolment import ASSESSMENT_PLAN_DEADLINE, WORKPLACE_TRAINING_DEADLINE
from domain.lifecycle import ACTIVE_AT_MUNICIPALITY
from storage.id_lists import one_of
from storage.models import KeptWorkItem, Meeting, Municipality, Referral, WorkCount
from storage.worklist_counts import ALL, INVESTIGATOR, MUNICIPALITY

W = KeptWorkItem
C = WorkCount
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


_ANY_DAY = date(2000, 1, 3)


@dataclass(frozen=True)
class _Shape:
    """What a statement's text depends on (the values go in as parameters): whose list,
    and each kind's page by offset or after or before a key."""

    by_municipality: bool
    by_investigator: bool


def _where(task: Task, shape: _Shape) -> list[ColumnElement[bool]]:
    conditions = [W.kind == task.value]
    if shape.by_municipality:
        conditions.append(W.municipality_id == bindparam("municipality_id"))
    if shape.by_investigator:
        conditions.append(W.investigator_id == bindparam("investigator_id"))
    # Which bounds a kind has depends on the kind alone; their days are parameters.
    first, last = _window(task, _ANY_DAY, _ANY_DAY)
    if first is not None:
        conditions.append(W.anchor >= bindparam(f"first_{task.value}", type_=Date))
    if last is not None:
        conditions.append(W.anchor <= bindparam(f"last_{task.value}", type_=Date))
    if task is Task.BOOK_FOLLOW_UP:  # no follow-up booked from today on
        today = bindparam("today", type_=Date)
        conditions.append(or_(W.booked_until.is_(None), W.booked_until < today))
    return conditions


def _params(tasks: Sequence[Task], scope: Scope, today: date, horizon: date) -> dict[str, Any]:
    params: dict[str, Any] = {
        "municipality_id": scope.municipality_id,
        "investigator_id": scope.investigator_id,
        "today": today,
    }
    for task in tasks:
        first, last = _window(task, today, horizon)
        params[f"first_{task.value}"], params[f"last_{task.value}"] = first, last
    return params


def _shape(scope: Scope) -> _Shape:
    return _Shape(scope.municipality_id is not None, scope.investigator_id is not None)


def _counted(task: Task, shape: _Shape) -> Any:
    """One kind's count: the kept counts (storage.worklist_counts) summed over its days."""
    whose = MUNICIPALITY if shape.by_municipality else ALL
    if shape.by_investigator:
        whose = INVESTIGATOR
    conditions = [C.kind == _named(task.value), C.whose == _named(whose)]
    if whose != ALL:
        conditions.append(C.who == bindparam(f"{whose}_id"))
    first, last = _window(task, _ANY_DAY, _ANY_DAY)
    if first is not None:
        conditions.append(C.day >= bindparam(f"first_{task.value}", type_=Date))
    if last is not None:
        conditions.append(C.day <= bindparam(f"last_{task.value}", type_=Date))
    if task is Task.BOOK_FOLLOW_UP:  # counted under the last follow-up booked: before today
        conditions.append(C.day < bindparam("today", type_=Date))
    total = func.coalesce(func.sum(C.items), literal_column("0", Integer))
    return select(_named(task.value).label("kind"), total.label("n")).where(*conditions)


def _named(value: str) -> ColumnElement[str]:
    """A kind's or a list's name written into the statement, not bound: the counts of a
    coordinator's 12 kinds were 58 parameters, and psycopg converts the placeholders of a
    statement of more than 50 anew on every request (storage.id_lists). The names are the
    code's own words (Task, storage.worklist_counts), never anything a request sent."""
    if not value.isidentifier():
        raise ValueError(f"not a name: {value!r}")
    return literal_column(f"'{value}'", String)


@lru_cache(maxsize=64)
def _counts_statement(tasks: tuple[Task, ...], shape: _Shape) -> Any:
    """Built once per process for each list's kinds: SQLAlchemy then neither builds nor
    compiles it again, and a request only binds its days. A list of one municipality's and
    one investigator's together (no page asks for one) counts the items themselves."""
    if shape.by_municipality and shape.by_investigator:
        return union_all(
            *(
                select(literal(t.value).label("kind"), func.count().label("n"))
                .select_from(W)
                .where(*_where(t, shape))
                for t in tasks
            )
        )
    return union_all(*(_counted(t, shape) for t in tasks))


def counts(
    session: Session, tasks: Sequence[Task], scope: Scope, today: date, horizon: date
) -> dict[Task, int]:
    """How many items of each kind are on the list today, in one statement."""
    if not tasks:
        return {}
    statement = _counts_statement(tuple(tasks), _shape(scope))
    params = _params(tasks, scope, today, horizon)
    found = {kind: int(n) for kind, n in session.execute(statement, params)}
    return {t: found.get(t.value, 0) for t in tasks}


_MUNICIPALITY_TOTAL = select(func.coalesce(func.sum(C.items), 0)).where(
    C.kind == bindparam("kind"),
    C.whose == MUNICIPALITY,
    C.who == bindparam("municipality_id"),
)


def municipality_total(session: Session, task: Task, municipality_id: int) -> int:
    """How many items of a kind a municipality has, whatever their day (a kind without a
    window: e.g. the ended placements without a final report), from the kept counts."""
    params = {"kind": task.value, "municipality_id": municipality_id}
    return int(session.scalar(_MUNICIPALITY_TOTAL, params) or 0)


def placements_total(session: Session, municipality_id: int | None, limit: int) -> int:
    """A municipality's placements that still need something done (its inbox), counted up
    to `limit` + 1: the accepted and running ones by the referrals' index, the ended ones
    without a final report from the kept counts (an ended placement has its end day, so
    the work item's condition is the inbox's)."""
    if municipality_id is None:
        return 0
    active = select(Referral.id).where(
        Referral.current_municipality_id == municipality_id,
        Referral.status.in_(ACTIVE_AT_MUNICIPALITY),
    )
    running = session.scalar(select(func.count()).select_from(active.limit(limit + 1).subquery()))
    ended = municipality_total(session, Task.FINAL_REPORT, municipality_id)
    return min((running or 0) + ended, limit + 1)


def _part(task: Task, mode: str, shape: _Shape) -> Select[Any]:
    """One kind's page: by offset (`mode` "offset"), or after or before a key."""
    columns: list[Any] = [W.kind, W.referral_id, W.municipality_id, *KEY]
    query = select(*columns).where(*_where(task, shape))
    size = bindparam(f"size_{task.value}", type_=Integer)
    if mode == "offset":
        offset = bindparam(f"offset_{task.value}", type_=Integer)
        return query.order_by(*KEY).limit(size).offset(offset)
    later = mode == "after"
    bound = tuple_(*(bindparam(f"key{i}_{task.value}", type_=k.type) for i, k in enumerate(KEY)))
    query = query.where(tuple_(*KEY) > bound if later else tuple_(*KEY) < bound)
    return query.order_by(*(k if later else k.desc() for k in KEY)).limit(size)


@lru_cache(maxsize=256)
def _rows_statement(pages: tuple[tuple[Task, str], ...], shape: _Shape) -> Any:
    """Built once per process for each combination of kinds and ways of paging."""
    union = union_all(*(select(_part(task, mode, shape).subquery()) for task, mode in pages))
    paged = union.subquery()
    return select(paged, Municipality.name.label("municipality")).outerjoin(
        Municipality, Municipality.id == paged.c.municipality_id
    )


def _page_params(wanted: Wanted) -> tuple[str, dict[str, Any]]:
    kind = wanted.task.value
    params: dict[str, Any] = {f"size_{kind}": wanted.size}
    mark = wanted.after or wanted.before
    if mark is None:
        return "offset", {**params, f"offset_{kind}": wanted.offset}
    values = (mark.anchor, mark.at_seconds, mark.reference_code, mark.source_id)
    params.update({f"key{i}_{kind}": v for i, v in enumerate(values)})
    return ("after" if wanted.after is not None else "before"), params


def rows(
    session: Session, wanted: Sequence[Wanted], scope: Scope, today: date, horizon: date
) -> dict[Task, list[Any]]:
    """One page of each kind wanted, oldest first, in one statement: (referral id, code,
    municipality, anchor, at_seconds, key)."""
    if not wanted:
        return {}
    params = _params([w.task for w in wanted], scope, today, horizon)
    pages = []
    for one in wanted:
        mode, page_params = _page_params(one)
        pages.append((one.task, mode))
        params.update(page_params)
    statement = _rows_statement(tuple(pages), _shape(scope))
    found: dict[Task, list[Any]] = {w.task: [] for w in wanted}
    for row in session.execute(statement, params):
        found[Task(row.kind)].append(row)
    for listed in found.values():  # a compound statement keeps no order of its own
        listed.sort(key=lambda r: (r.anchor, r.at_seconds, r.reference_code, r.source_id))
    return found


def key_of(row: Any) -> Key:
    return Key(row.anchor, row.at_seconds, row.reference_code, row.source_id)


_NEXT_MEETINGS = (
    select(Meeting.referral_id, func.min(Meeting.on))
    .where(
        one_of(Meeting.referral_id, "ids"),
        Meeting.held_on.is_(None),
        Meeting.on >= bindparam("today", type_=Date),
    )
    .group_by(Meeting.referral_id)
)


def next_meetings(session: Session, referral_ids: list[int], today: date) -> dict[int, date]:
    """The next meeting not yet held of each referral (tripartite or follow-up)."""
    if not referral_ids:
        return {}
    found = session.execute(_NEXT_MEETINGS, {"ids": referral_ids, "today": today})
    return {referral_id: on for referral_id, on in found}
