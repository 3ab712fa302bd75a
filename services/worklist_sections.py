"""The sections of a worklist (services.worklist): one kind of item each, its items on one
page and how many there are. Referral items are read from the kept items
(storage.worklist_queries: every kind counted in one statement, paged in one, their next
meetings in one); requisition items come from services.requisition_lists."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from domain.calendar import working_days_between
from domain.clock import local_date
from domain.deadlines import DeadlineSettings, Task, due_on, horizon, is_late, request_age
from domain.money import Money
from domain.requisition import Period
from services import requisition_lists
from services.paging import PageAt
from storage import worklist_queries as queries
from storage.worklist_queries import Scope


@dataclass(frozen=True)
class WorkItem:
    task: Task
    reference_code: str
    municipality: str | None
    on: date  # when it is due (when asked, for a request; the meeting's day for a meeting)
    late: bool
    working_days: int | None  # a request's age in working days; a basis's, waiting
    next_meeting: date | None
    # A requisition basis (reference_code is empty): its period, code, days, amount, and
    # the reason it was returned.
    period: Period | None = None
    municipality_code: str | None = None
    days: int | None = None
    amount: Money | None = None
    reason: str | None = None


def _requisition_item(waiting: requisition_lists.Waiting, today: date) -> WorkItem:
    basis = waiting.basis
    return WorkItem(
        task=waiting.task,
        reference_code="",
        municipality=basis.municipality,
        on=waiting.on,
        late=waiting.late,
        working_days=None
        if waiting.task is Task.SUBMIT_REQUISITION
        else working_days_between(waiting.on, today),
        next_meeting=None,
        period=basis.period,
        municipality_code=basis.municipality_code,
        days=basis.days,
        amount=basis.total,
        reason=basis.reason,
    )


@dataclass(frozen=True)
class Section:
    """One kind's items on a page of the worklist (the pager reads it like a paging.Page)."""

    task: Task
    items: tuple[WorkItem, ...]
    total: int
    page: int
    size: int
    # Paged by key: the links name the first and last item's key (worklist_queries.Key).
    keys: tuple[str, ...] = ()

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def number(self) -> int:
        return self.page

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def rows(self) -> tuple[WorkItem, ...]:
        return self.items

    @property
    def keyed(self) -> bool:
        return bool(self.keys)

    @property
    def first_key(self) -> str:
        return self.keys[0] if self.keys else ""

    @property
    def last_key(self) -> str:
        return self.keys[-1] if self.keys else ""


def _anchor_day(task: Task, row: Any) -> date:
    """The day an item counts from: a request's moment (asked, declined) is a Swedish day."""
    if task in (Task.ANSWER_REQUEST, Task.REROUTE):
        return local_date(datetime.fromtimestamp(row.at_seconds, UTC))
    anchor: date = row.anchor
    return anchor


def requisition_section(
    task: Task, work: list[requisition_lists.Waiting], today: date, page: int, size: int
) -> Section:
    mine = [w for w in work if w.task is task]
    page = min(max(page, 1), max(1, math.ceil(len(mine) / size)))
    shown = mine[(page - 1) * size : page * size]
    return Section(task, tuple(_requisition_item(w, today) for w in shown), len(mine), page, size)


def _item(task: Task, row: Any, today: date, settings: DeadlineSettings, meeting: Any) -> WorkItem:
    on = due_on(task, _anchor_day(task, row))
    return WorkItem(
        task=task,
        reference_code=row.reference_code,
        municipality=row.municipality,
        on=on,
        late=is_late(task, on, today, settings),
        working_days=request_age(on, today) if task is Task.ANSWER_REQUEST else None,
        next_meeting=meeting,
    )


def _wanted(task: Task, total: int, at: PageAt, size: int) -> tuple[int, queries.Wanted]:
    """The page of one kind to read: by the key its link named, or else by its number."""
    number = min(max(at.number, 1), max(1, math.ceil(total / size)))
    after, before = queries.Key.parse(at.after), queries.Key.parse(at.before)
    if number > 1 and (after or before):
        return number, queries.Wanted(task, size, after=after, before=None if after else before)
    if at.after or at.before:
        number = 1  # a key that does not read: start over
    return number, queries.Wanted(task, size, offset=(number - 1) * size)


def referral_sections(
    session: Session,
    tasks: list[Task],
    scope: Scope,
    today: date,
    settings: DeadlineSettings,
    at: PageAt,
    size: int,
) -> dict[Task, Section]:
    """The kinds of referral item: counted in one statement, paged in one, their next
    meetings in one."""
    last = horizon(today, settings)
    totals = queries.counts(session, tasks, scope, today, last)
    numbers, wanted = {}, []
    for task in tasks:
        numbers[task], one = _wanted(task, totals[task], at, size)
        if totals[task]:
            wanted.append(one)
    found = queries.rows(session, wanted, scope, today, last)
    ids = [row.referral_id for listed in found.values() for row in listed]
    meetings = queries.next_meetings(session, ids, today)
    sections = {}
    for task in tasks:
        listed = found.get(task, [])
        items = tuple(_item(task, r, today, settings, meetings.get(r.referral_id)) for r in listed)
        keys = tuple(queries.key_of(r).text() for r in listed)
        sections[task] = Section(task, items, totals[task], numbers[task], size, keys)
    return sections
