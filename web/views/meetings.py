"""A placement's meetings: book a follow-up (from the referral's page), and per meeting a
page to move it or record it as held, and its calendar invitation (.ics)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

import locales
from domain.actions import Action
from domain.meetings import MEETING_LABELS, MeetingKind
from services import meetings
from services.casework import actions_for, may_take
from services.program_setup import current_program
from services.referrals import get_referral
from web import runtime
from web.auth import logged_in
from web.calendar import invitation
from web.forms.placement import BookMeetingForm, FollowUpHeldForm
from web.views import once
from web.views.actions import act

blueprint = Blueprint("meetings", __name__, url_prefix="/anmalningar/<code>/moten")


@blueprint.post("")
@logged_in
def book(code: str) -> Any:
    return act(
        code,
        Action.BOOK_MEETING,
        lambda s, referral, f: meetings.book_follow_up(
            s,
            actor=runtime.actor(),
            referral=referral,
            on=f.on.data,
            at=f.at.data,
            place=f.place.data,
            now=runtime.now(),
        ),
        lambda f: locales.gettext("The follow-up meeting is booked for %(date)s.", date=f.on.data),
    )


def _page(
    code: str, meeting_id: int, move: BookMeetingForm, held: FollowUpHeldForm, status: int
) -> Any:
    actor = runtime.actor()
    with runtime.transaction(read_only=True) as session:
        referral = get_referral(session, actor=actor, reference_code=code)
        meeting = meetings.get_meeting(
            session, actor=actor, referral=referral, meeting_id=meeting_id
        )
        program = current_program(session)
        allowed = Action.CHANGE_MEETING in actions_for(
            actor, referral, today=runtime.today(), program=program
        )
        started = referral.placement is not None and referral.placement.started_on is not None
        movable = (
            allowed
            and meeting.held_on is None
            and not (meeting.kind is MeetingKind.TRIPARTITE and started)
        )
        recordable = allowed and meeting.kind is MeetingKind.FOLLOW_UP and meeting.held_on is None
        if request.method == "GET":
            move.on.data, move.at.data, move.place.data = meeting.on, meeting.at, meeting.place
        what = locales.gettext(MEETING_LABELS[meeting.kind])
        html = render_template(
            "referrals/meeting.html",
            code=referral.reference_code,
            meeting=meeting,
            what=what,
            move=move if movable else None,
            held=held if recordable else None,
            failed=move if move.errors else held if held.errors else None,
            title=locales.gettext(
                "%(meeting)s %(code)s", meeting=what, code=referral.reference_code
            ),
        )
    return html, status


@blueprint.get("/<int:meeting_id>")
@logged_in
def page(code: str, meeting_id: int) -> Any:
    return _page(
        code, meeting_id, BookMeetingForm(formdata=None), FollowUpHeldForm(formdata=None), 200
    )


def _change(code: str, meeting_id: int, form: Any, work: Any, done: str) -> Any:
    with runtime.transaction() as session:
        referral = get_referral(session, actor=runtime.actor(), reference_code=code)
        if not may_take(runtime.actor(), referral, Action.CHANGE_MEETING):
            abort(404)
        meetings.get_meeting(
            session, actor=runtime.actor(), referral=referral, meeting_id=meeting_id
        )
    if form.validate():

        def run(session: Any) -> str:
            referral = get_referral(session, actor=runtime.actor(), reference_code=code)
            work(session, referral)
            return str(meeting_id)

        if once(form, run).ok:
            flash(done, "success")
            return redirect(
                url_for("meetings.page", code=code.strip().upper(), meeting_id=meeting_id)
            )
    move = form if isinstance(form, BookMeetingForm) else BookMeetingForm(formdata=None)
    held = form if isinstance(form, FollowUpHeldForm) else FollowUpHeldForm(formdata=None)
    return _page(code, meeting_id, move, held, 400)


@blueprint.post("/<int:meeting_id>/flytta")
@logged_in
def move(code: str, meeting_id: int) -> Any:
    form = BookMeetingForm()
    return _change(
        code,
        meeting_id,
        form,
        lambda s, referral: meetings.move_meeting(
            s,
            actor=runtime.actor(),
            referral=referral,
            meeting_id=meeting_id,
            on=form.on.data,
            at=form.at.data,
            place=form.place.data,
            now=runtime.now(),
        ),
        locales.gettext("The meeting is moved. Download the calendar invitation again."),
    )


@blueprint.post("/<int:meeting_id>/hallet")
@logged_in
def held(code: str, meeting_id: int) -> Any:
    form = FollowUpHeldForm()
    return _change(
        code,
        meeting_id,
        form,
        lambda s, referral: meetings.record_follow_up_held(
            s,
            actor=runtime.actor(),
            referral=referral,
            meeting_id=meeting_id,
            held_on=form.held_on.data,
            now=runtime.now(),
        ),
        locales.gettext("The follow-up meeting is recorded as held."),
    )


@blueprint.get("/<int:meeting_id>.ics")
@logged_in
def calendar_file(code: str, meeting_id: int) -> Any:
    with runtime.transaction(read_only=True) as session:
        referral = get_referral(session, actor=runtime.actor(), reference_code=code)
        meeting = meetings.get_meeting(
            session, actor=runtime.actor(), referral=referral, meeting_id=meeting_id
        )
        placement = referral.placement
        body = invitation(
            meeting_id=meeting.id,
            kind=meeting.kind,
            on=meeting.on,
            at=meeting.at,
            place=meeting.place,
            moves=meeting.moves,
            code=referral.reference_code,
            municipality=placement.municipality.name if placement else "",
            host=request.host.split(":")[0] or "mojlighetsmodellen",
            now=runtime.now(),
        )
        name = _file_name(meeting.kind, referral.reference_code, meeting.on)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _file_name(kind: MeetingKind, code: str, on: date) -> str:
    """The download's name in Swedish, in ASCII letters so that every mail and file system
    keeps it: MM-2026-0039-trepartssamtal-2026-12-10.ics."""
    if kind is MeetingKind.TRIPARTITE:
        return locales.gettext(
            "%(code)s-tripartite-meeting-%(date)s.ics", code=code, date=on.isoformat()
        )
    return locales.gettext(
        "%(code)s-follow-up-meeting-%(date)s.ics", code=code, date=on.isoformat()
    )
