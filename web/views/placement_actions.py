"""The municipality's actions: answer the request, then record what happens at the
placement (start, milestones, extension, end with outcome, final report)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

import locales
from domain.actions import Action
from domain.choices import label
from services import placements
from services.casework import request_of
from services.referrals import accept_request, decline_request, get_referral
from web import runtime
from web.auth import logged_in
from web.views.actions import Question, act
from web.views.detail import date_choices

blueprint = Blueprint("placement_actions", __name__, url_prefix="/anmalningar/<code>")


@blueprint.post("/acceptera")
@logged_in
def accept(code: str) -> Any:
    return act(
        code,
        Action.ACCEPT,
        lambda s, referral, f: accept_request(
            s,
            actor=runtime.actor(),
            request_id=request_of(referral, f.request_id.data).id,
            meeting_on=f.meeting_on.data,
            now=runtime.now(),
            over_capacity_confirmed=f.over_capacity.data == "1",
            meeting_time=f.meeting_time.data,
            place=f.place.data,
        ),
        lambda f: locales.gettext(
            "You have accepted the referral; the tripartite meeting is booked for %(date)s.",
            date=f.meeting_on.data,
        ),
    )


@blueprint.post("/avboj")
@logged_in
def decline(code: str) -> Any:
    return act(
        code,
        Action.DECLINE,
        lambda s, referral, f: decline_request(
            s,
            actor=runtime.actor(),
            request_id=request_of(referral, f.request_id.data).id,
            reason=f.reason.data,
            comment=f.comment.data or "",
            now=runtime.now(),
        ),
        locales.gettext("You have declined the request. Försäkringskassan can ask another."),
        ask=_declining,
    )


def _declining(form: Any, referral: Any) -> Question:
    # Declining cannot be undone (the request is closed), so it asks first, like ending.
    return Question(
        heading=locales.gettext("Decline the request"),
        question=locales.gettext(
            "Do you want to decline the request about %(code)s? It cannot be undone; "
            "Försäkringskassan can then ask another municipality.",
            code=referral.reference_code,
        ),
        button=locales.gettext("Yes, decline the request"),
        details=[(locales.gettext("Reason"), label_of(form.reason.data))],
    )


def _record(code: str, action: Action, use_case: Any, field: str, done: str) -> Any:
    """A placement use case that takes one date from the form field of the same name."""
    return act(
        code,
        action,
        lambda s, referral, f: use_case(
            s,
            actor=runtime.actor(),
            referral_id=referral.id,
            now=runtime.now(),
            **{field: getattr(f, field).data},
        ),
        done,
    )


@blueprint.post("/trepartssamtal")
@logged_in
def meeting_held(code: str) -> Any:
    return _record(
        code,
        Action.MEETING_HELD,
        placements.record_meeting_held,
        "held_on",
        locales.gettext("The tripartite meeting is recorded: the placement has started."),
    )


@blueprint.post("/kartlaggning")
@logged_in
def assessment_plan(code: str) -> Any:
    return _record(
        code,
        Action.ASSESSMENT_PLAN,
        placements.record_assessment_plan,
        "done_on",
        locales.gettext("The assessment and individual plan are recorded."),
    )


@blueprint.post("/arbetstraning")
@logged_in
def workplace_training(code: str) -> Any:
    return _record(
        code,
        Action.WORKPLACE_TRAINING,
        placements.record_workplace_training,
        "started_on",
        locales.gettext("The start of the workplace training is recorded."),
    )


@blueprint.post("/forlangning")
@logged_in
def extend(code: str) -> Any:
    return _record(
        code,
        Action.EXTEND,
        placements.extend_placement,
        "new_end",
        locales.gettext("The placement has been extended."),
    )


def label_of(choice: Any) -> str:
    return locales.gettext(label(choice)) if choice is not None else "–"


def _ending(form: Any, referral: Any) -> Question:
    return Question(
        heading=locales.gettext("End the placement"),
        question=locales.gettext(
            "Do you want to end the placement of %(code)s? Compensation stops after the end "
            "date, and the placement cannot be started again.",
            code=referral.reference_code,
        ),
        button=locales.gettext("Yes, end the placement"),
        details=[
            (locales.gettext("End date"), locales.format_value(form.end_date.data)),
            (locales.gettext("Outcome"), label_of(form.outcome.data)),
        ],
    )


@blueprint.post("/avslut")
@logged_in
def end(code: str) -> Any:
    return act(
        code,
        Action.END,
        lambda s, referral, f: placements.end_placement(
            s,
            actor=runtime.actor(),
            referral_id=referral.id,
            ended_on=f.end_date.data,
            outcome=f.outcome.data,
            now=runtime.now(),
        ),
        locales.gettext("The placement has ended."),
        ask=_ending,
    )


@blueprint.post("/slutdokumentation")
@logged_in
def final_report(code: str) -> Any:
    return _record(
        code,
        Action.FINAL_REPORT,
        placements.record_final_report,
        "received_on",
        locales.gettext("The final report is recorded."),
    )


@blueprint.post("/rattelse")
@logged_in
def correct_date(code: str) -> Any:
    def prepare(form: Any, session: Any) -> None:
        referral = get_referral(session, actor=runtime.actor(), reference_code=code)
        if referral.placement is not None and referral.placement.started_on is not None:
            form.field.choices = date_choices(referral)
        else:
            form.field.choices = []

    return act(
        code,
        Action.CORRECT_DATE,
        lambda s, referral, f: placements.correct_date(
            s,
            actor=runtime.actor(),
            referral_id=referral.id,
            field=f.field.data,
            corrected_on=f.corrected_on.data,
            reason=f.reason.data,
            now=runtime.now(),
        ),
        lambda f: locales.gettext(
            "The date is corrected to %(date)s. The history shows the original beside it.",
            date=f.corrected_on.data,
        ),
        prepare,
    )
