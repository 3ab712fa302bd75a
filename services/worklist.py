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

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from domain.access import (
    Actor,
    check_answers_for,
    check_coordinates,
    check_files_referrals,
    check_pays_requisitions,
)
from domain.choices import Role
from domain.deadlines import (
    ASSOCIATION_TASKS,
    COORDINATOR_TASKS,
    INVESTIGATOR_TASKS,
    MUNICIPALITY_TASKS,
    REQUISITION_TASKS,
    DeadlineSettings,
    Task,
    horizon,
)
from domain.errors import NotAllowed
from domain.text import N_
from services import requisition_lists
from services.kept_answers import kept
from services.paging import PageAt
from services.worklist_sections import Section as Section
from services.worklist_sections import WorkItem as WorkItem
from services.worklist_sections import referral_sections, requisition_section
from storage import worklist_queries as queries
from storage.worklist_queries import Scope

SECTION_SIZE = 10  # items per kind on the worklist; a kind of its own pages by 50
PAGE_SIZE = 50


@dataclass(frozen=True)
class Worklist:
    role: Role
    sections: tuple[Section, ...]  # every kind of the audience, in order (empty ones too)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def items(self) -> list[WorkItem]:
        return [item for section in self.sections for item in section.items]


def _requisition_work(
    session: Session, tasks: tuple[Task, ...], scope: Scope, today: date
) -> list[requisition_lists.Waiting]:
    wanted = [t for t in tasks if t in REQUISITION_TASKS]
    if not wanted:
        return []
    return requisition_lists.work(
        session, today=today, municipality_id=scope.municipality_id, tasks=wanted
    )


def _worklist(
    session: Session,
    role: Role,
    tasks: tuple[Task, ...],
    scope: Scope,
    *,
    today: date,
    settings: DeadlineSettings | None,
    task: Task | None,
    page: PageAt | int,
    size: int | None = None,
) -> Worklist:
    settings = settings or DeadlineSettings()
    if task is not None and task not in tasks:
        raise NotAllowed(N_("That list is not on your worklist."))
    wanted = (task,) if task is not None else tasks
    size = size or (PAGE_SIZE if task is not None else SECTION_SIZE)
    at = PageAt.of(page)

    def work_out() -> Worklist:
        work = _requisition_work(session, wanted, scope, today)
        referral_tasks = [t for t in wanted if t not in REQUISITION_TASKS]
        sections = referral_sections(session, referral_tasks, scope, today, settings, at, size)
        return Worklist(
            role,
            tuple(
                requisition_section(t, work, today, at.number, size)
                if t in REQUISITION_TASKS
                else sections[t]
                for t in wanted
            ),
        )

    # Kept while the database reads the same (services.kept_answers): its items carry codes,
    # municipalities and dates only, and who may see this scope was checked by the caller.
    # A contact's requisition bases alone cost as much as all the referral kinds.
    asked = (role, wanted, scope, today, settings, at, size)
    return kept(session, "worklist", asked, work_out)


def for_municipality(
    session: Session,
    *,
    actor: Actor,
    today: date,
    settings: DeadlineSettings | None = None,
    task: Task | None = None,
    page: PageAt | int = 1,
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
    page: PageAt | int = 1,
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
    page: PageAt | int = 1,
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
    page: PageAt | int = 1,
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
    page: PageAt | int = 1,
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
    kinds = [t for t in tasks if t not in REQUISITION_TASKS]
    return len(work) + sum(queries.counts(session, kinds, scope, today, last).values())
