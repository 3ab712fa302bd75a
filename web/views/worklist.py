"""Att göra: the worklist of an investigator, a municipality contact, the coordinator or the
association, by the same rules as the daily digest (services.worklist), and its count in the
menu. A requisition item links to its basis, the others to the referral."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template, request, session
from flask_login import current_user

import locales
from domain.choices import Role
from domain.deadlines import REQUISITION_TASKS, TASK_LABELS, Task
from services import worklist
from web import runtime
from web.auth import roles
from web.forms.fields import options
from web.forms.worklist import WorklistFilterForm
from web.views import municipality_filter, page_at

blueprint = Blueprint("worklist", __name__)

# Where on the referral's page each kind of item is acted on.
ANCHORS = {
    Task.ANSWER_REQUEST: "acceptera",
    Task.REROUTE: "action-ask_another",
    Task.RECORD_MEETING: "action-meeting_held",
    Task.HOLD_MEETING: "meetings-heading",
    Task.RECORD_FOLLOW_UP: "meetings-heading",
    Task.FOLLOW_UP: "meetings-heading",
    Task.ASSESSMENT_PLAN: "action-assessment_plan",
    Task.WORKPLACE_TRAINING: "action-workplace_training",
    Task.ENDING: "action-extend",
    Task.BOOK_FOLLOW_UP: "action-book_meeting",
    Task.FINAL_REPORT: "action-final_report",
    Task.ALTERNATIVE_PLAN: "action-alternative_plan",
}


KEPT = 60  # seconds a count in the menu is shown before it is counted again


@blueprint.before_app_request
def _count_first() -> None:
    """The number in the menu, counted before the view opens its own transaction (a page
    renders inside one, and SQLite takes one writer at a time), for people with a worklist.

    The count reads the kept items (one statement of index ranges, storage.worklist_queries)
    and the requisition bases' rule; it is still kept in the session for a minute, so that
    most pages run neither: anything the person sends (a POST) and the worklist page itself
    count anew. Slack's requests (/slack/events) carry no session: nobody to count for."""
    if request.endpoint == "slack_events":
        return
    if not current_user.is_authenticated or current_user.role not in worklist.HAS_WORKLIST:
        return
    if request.method != "GET":
        session.pop("mm_worklist_count", None)
        return
    if request.endpoint in (None, "static", "health.healthz", "meetings.calendar_file"):
        return
    now = runtime.now().timestamp()
    kept = session.get("mm_worklist_count")
    if kept and now - kept[1] < KEPT:
        g.mm_worklist_count = kept[0]
        return
    if request.endpoint == "worklist.page" and not request.args:
        return  # the page counts everything itself (see `page`)
    with runtime.transaction(read_only=True) as db:  # reads only: no write lock on SQLite
        _keep(worklist.count_for(db, actor=runtime.actor(), today=runtime.today()))


def _keep(count: int) -> None:
    g.mm_worklist_count = count
    now = runtime.now().timestamp()
    kept = session.get("mm_worklist_count")
    if kept and kept[0] == count and now - kept[1] < KEPT:
        return  # the same number, still fresh: the session row need not be written again
    session["mm_worklist_count"] = [count, now]


def count() -> int | None:
    """The number in the menu (None where it was not counted)."""
    return g.get("mm_worklist_count")


@blueprint.get("/att-gora")
@roles(Role.INVESTIGATOR, Role.MUNICIPALITY_CONTACT, Role.COORDINATOR, Role.ASSOCIATION)
def page() -> Any:
    actor = runtime.actor()
    form = WorklistFilterForm(formdata=request.args)
    everything = locales.gettext("All")
    form.task.choices = options(
        [("", everything)]
        + [(t.value, locales.gettext(TASK_LABELS[t])) for t in worklist.tasks_of(actor.role)]
    )
    status = 200
    with runtime.transaction(read_only=True) as db:  # reads only: no write lock on SQLite
        form.municipality.choices = municipality_filter(
            db,
            everything,
            needed=actor.role is Role.COORDINATOR or form.municipality.data is not None,
        )
        chosen: dict[str, Any] = {}
        if form.validate():
            chosen["task"] = form.task.data
            if actor.role is Role.COORDINATOR:
                chosen["municipality_id"] = form.municipality.data
        else:
            status = 400
        found = worklist.worklist_for(
            db, actor=actor, today=runtime.today(), page=page_at(), **chosen
        )
    if not any(chosen.values()):  # the whole worklist: its total is the count in the menu
        _keep(found.total)
    html = render_template(
        "worklist.html",
        worklist=found,
        form=form,
        one_kind=chosen.get("task") is not None,
        labels=TASK_LABELS,
        anchors=ANCHORS,
        Task=Task,
        requisition_tasks=REQUISITION_TASKS,
        title=locales.gettext("To do"),
    )
    return html, status
