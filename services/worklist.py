"""Worklists ("Att göra"): what needs a person's action, with its deadline, by the same rules
as the daily digest (domain.deadlines). One function per audience, each easy to call with an
Actor (the web site's page and count, chat's Home tab):

- `for_municipality`: a contact's own municipality;
- `for_investigator`: the investigator's own referrals;
- `for_coordinator`: everything, optionally one municipality;
- `for_association`: attested requisition bases waiting for payment.

Items carry codes, municipalities, dates and kinds only: never personal data. Each kind of
referral item is counted and paged in SQL (storage.worklist_queries); requisition items (a
municipality's basis for a period) come from services.requisition_lists.work, the rule the
digest uses too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from domain.access import (
    Actor,
    check_answers_for,
    check_coordinates,
    check_files_referrals,
    check_pays_requisitions,
)
from domain.calendar import working_days_between
from domain.choices import Role
from domain.clock import local_date
from domain.deadlines import (
    ASSOCIATION_TASKS,
    COORDINATOR_TASKS,
    INVESTIGATOR_TASKS,
    MUNICIPALITY_TASKS,
    REQUISITION_TASKS,
    DeadlineSettings,
    Task,
    due_on,
    horizon,
    is_late,
    request_age,
)
from domain.errors import NotAllowed
from domain.money import Money
from domain.requisition import Period
from domain.text import N_
from services import requisition_lists
from storage import worklist_queries as queries
from storage.worklist_queries import Scope

SECTION_SIZE = 10  # items per kind on the worklist; a kind of its own pages by 50
PAGE_SIZE = 50


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
    task: Task
    items: list[WorkItem]
    total: int
    page: int
    size: int

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


@dataclass(frozen=True)
class Worklist:
    role: Role
    sections: list[Section]  # every kind of the audience, in order (empty ones too)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def items(self) -> list[WorkItem]:
        return [item for section in self.sections for item in section.items]


def _anchor_day(value: date | datetime) -> date:
    """The day an item counts from (a request's moment is a Swedish day)."""
    return local_date(value) if isinstance(value, datetime) else value


def _requisition_section(
    task: Task, work: list[requisition_lists.Waiting], today: date, page: int, size: int
) -> Section:
    mine = [w for w in work if w.task is task]
    page = min(max(page, 1), max(1, math.ceil(len(mine) / size)))
    shown = mine[(page - 1) * size : page * size]
    return Section(task, [_requisition_item(w, today) for w in shown], len(mine), page, size)


def _requisition_work(
    session: Session, tasks: tuple[Task, ...], scope: Scope, today: date
) -> list[requisition_lists.Waiting]:
    wanted = [t for t in tasks if t in REQUISITION_TASKS]
    if not wanted:
        return []
    return requisition_lists.work(
        session, today=today, municipality_id=scope.municipality_id, tasks=wanted
    )


def _section(
    session: Session,
    task: Task,
    scope: Scope,
    today: date,
    settings: DeadlineSettings,
    page: int,
    size: int,
) -> Section:
    last = horizon(today, settings)
    total = queries.count(session, task, scope, today, last)
    page = min(max(page, 1), max(1, math.ceil(total / size)))
    found = queries.rows(session, task, scope, today, last, limit=size, offset=(page - 1) * size)
    meetings = queries.next_meetings(session, [r.referral_id for r in found], today)
    items = []
    for row in found:
        on = due_on(task, _anchor_day(row.anchor))
        items.append(
            WorkItem(
                task=task,
                reference_code=row.reference_code,
                municipality=row.municipality,
                on=on,
                late=is_late(task, on, today, settings),
                working_days=request_age(on, today) if task is Task.ANSWER_REQUEST else None,
                next_meeting=meetings.get(row.referral_id),
            )
        )
    return Section(task, items, total, page, size)


def _worklist(
    session: Session,
    role: Role,
    tasks: tuple[Task, ...],
    scope: Scope,
    *,
    today: date,
    settings: DeadlineSettings | None,
    task: Task | None,
    page: int,
    size: int | None = None,
) -> Worklist:
    settings = settings or DeadlineSettings()
    if task is not None and task not in tasks:
        raise NotAllowed(N_("That list is not on your worklist."))
    wanted = (task,) if task is not None else tasks
    size = size or (PAGE_SIZE if task is not None else SECTION_SIZE)
    work = _requisition_work(session, wanted, scope, today)
    return Worklist(
        role,
        [
            _requisition_section(t, work, today, page, size)
            if t in REQUISITION_TASKS
            else _section(session, t, scope, today, settings, page, size)
            for t in wanted
        ],
    )


def for_municipality(
    session: Session,
    *,
    actor: Actor,
    today: date,
    settings: DeadlineSettings | None = None,
    task: Task | None = None,
    page: int = 1,
    size: int | None = None,
) -> Worklist:
    """A municipality contact's worklist: their own municipality's requests and placements."""
    check_answers_for(actor, actor.municipality_id)
    scope = Scope(municipality_id=actor.municipality_id)
    return _worklist(
        session,
        actor.role,
        MUNICIPALITY_TASKS,
        scope,
        today=today,
        settings=settings,
        task=task,
        page=page,
        size=size,
    )


def for_investigator(
    session: Session,
    *,
    actor: Actor,
    today: date,
    settings: DeadlineSettings | None = None,
    task: Task | None = None,
    page: int = 1,
    size: int | None = None,
) -> Worklist:
    """An investigator's worklist: their own referrals waiting, declined, or needing a plan."""
    check_files_referrals(actor)
    scope = Scope(investigator_id=actor.user_id)
    return _worklist(
        session,
        actor.role,
        INVESTIGATOR_TASKS,
        scope,
        today=today,
        settings=settings,
        task=task,
        page=page,
        size=size,
    )


def for_coordinator(
    session: Session,
    *,
    actor: Actor,
    today: date,
    settings: DeadlineSettings | None = None,
    task: Task | None = None,
    municipality_id: int | None = None,
    page: int = 1,
    size: int | None = None,
) -> Worklist:
    """The coordinator's worklist: all of it, across municipalities (or one of them)."""
    check_coordinates(actor)
    return _worklist(
        session,
        actor.role,
        COORDINATOR_TASKS,
        Scope(municipality_id=municipality_id),
        today=today,
        settings=settings,
        task=task,
        page=page,
        size=size,
    )


def for_association(
    session: Session,
    *,
    actor: Actor,
    today: date,
    settings: DeadlineSettings | None = None,
    task: Task | None = None,
    page: int = 1,
    size: int | None = None,
) -> Worklist:
    """The association's worklist: attested requisition bases waiting for payment."""
    check_pays_requisitions(actor)
    return _worklist(
        session,
        actor.role,
        ASSOCIATION_TASKS,
        Scope(),
        today=today,
        settings=settings,
        task=task,
        page=page,
        size=size,
    )


HAS_WORKLIST = frozenset(
    {Role.MUNICIPALITY_CONTACT, Role.INVESTIGATOR, Role.COORDINATOR, Role.ASSOCIATION}
)


def tasks_of(role: Role) -> tuple[Task, ...]:
    """The kinds of item on the worklist of a role, in the order they are shown."""
    return {
        Role.COORDINATOR: COORDINATOR_TASKS,
        Role.MUNICIPALITY_CONTACT: MUNICIPALITY_TASKS,
        Role.INVESTIGATOR: INVESTIGATOR_TASKS,
        Role.ASSOCIATION: ASSOCIATION_TASKS,
    }.get(role, ())


def worklist_for(
    session: Session,
    *,
    actor: Actor,
    today: date,
    settings: DeadlineSettings | None = None,
    task: Task | None = None,
    municipality_id: int | None = None,
    page: int = 1,
) -> Worklist:
    """The actor's own worklist, whatever their role (NotAllowed for roles without one)."""
    if actor.role is Role.COORDINATOR:
        return for_coordinator(
            session,
            actor=actor,
            today=today,
            settings=settings,
            task=task,
            municipality_id=municipality_id,
            page=page,
        )
    use_case = (
        for_association
        if actor.role is Role.ASSOCIATION
        else for_municipality
        if actor.is_contact
        else for_investigator
    )
    return use_case(session, actor=actor, today=today, settings=settings, task=task, page=page)


def count_for(
    session: Session, *, actor: Actor, today: date, settings: DeadlineSettings | None = None
) -> int:
    """How many items the actor's worklist has (the count in the navigation)."""
    settings = settings or DeadlineSettings()
    if actor.role is Role.COORDINATOR:
        tasks, scope = COORDINATOR_TASKS, Scope()
    elif actor.is_contact and actor.municipality_id is not None:
        tasks, scope = MUNICIPALITY_TASKS, Scope(municipality_id=actor.municipality_id)
    elif actor.role is Role.INVESTIGATOR:
        tasks, scope = INVESTIGATOR_TASKS, Scope(investigator_id=actor.user_id)
    elif actor.role is Role.ASSOCIATION:
        tasks, scope = ASSOCIATION_TASKS, Scope()
    else:
        return 0
    last = horizon(today, settings)
    work = _requisition_work(session, tasks, scope, today)
    return len(work) + sum(
        queries.count(session, t, scope, today, last) for t in tasks if t not in REQUISITION_TASKS
    )
