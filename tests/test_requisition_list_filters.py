"""`/rekvisitioner` filtered by state or by the viewer's own work gives exactly the bases the
unfiltered list holds in those states or waiting for that work, also when it skips the days
of the drafts (services.requisition_lists: only drafts and returned bases have live days)."""

from __future__ import annotations

from datetime import date

from domain.choices import Role
from domain.deadlines import REQUISITION_TASKS, requisition_task
from domain.requisition import State
from services import requisition_lists
from services import requisitions as requisition
from services.worklist import tasks_of
from tests.test_requisition import MARCH_APRIL, MAY_JUNE, act, people  # noqa: F401

TODAY = date(2026, 11, 23)


def test_every_filter_gives_the_bases_of_the_whole_list_it_names(world, people):  # noqa: F811
    world.started(people["investigator"], people["osby"], "Osby", date(2026, 3, 2))
    world.started(people["investigator"], people["bromolla"], "Bromölla", date(2026, 1, 12))
    act(world, requisition.submit, people["osby"])  # March–April: submitted
    act(world, requisition.submit, people["osby"], period=MAY_JUNE)
    act(world, requisition.attest, people["coordinator"], period=MAY_JUNE)  # attested
    act(world, requisition.submit, people["bromolla"], municipality="Bromölla")
    act(world, requisition.attest, people["coordinator"], municipality="Bromölla")
    act(world, requisition.mark_paid, people["association"], municipality="Bromölla",
        paid_on=TODAY)  # fmt: skip
    act(world, requisition.submit, people["bromolla"], municipality="Bromölla", period=MAY_JUNE)
    act(world, requisition.return_basis, people["coordinator"], municipality="Bromölla",
        period=MAY_JUNE, reason="Fel datum.")  # fmt: skip
    viewer = people["coordinator"]
    every = world.read(lambda s: requisition_lists.listing(s, actor=viewer, today=TODAY))
    assert {s.state for s in every} == set(State)  # drafts, returned, and each step
    choices = [None, *({state} for state in State), {State.SUBMITTED, State.DRAFT}]
    work = [None, *({task} for task in REQUISITION_TASKS)]
    work += [set(tasks_of(role)) & set(REQUISITION_TASKS) for role in Role]
    for states in choices:
        for tasks in work:
            found = world.read(
                lambda s, states=states, tasks=tasks: requisition_lists.listing(
                    s, actor=viewer, today=TODAY, states=states, tasks=tasks
                )
            )
            assert found == [
                s
                for s in every
                if (states is None or s.state in states)
                and (
                    tasks is None
                    or requisition_task(s.state, ended=s.period.ended_on(TODAY), days=s.days)
                    in tasks
                )
            ], (states, tasks)
