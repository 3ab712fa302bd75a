"""The one detail page of a referral, for every role that may see it: status history, the
participant's personal data for those allowed (each view audited), and the forms for what
this viewer may do now. Action views re-render it with their failed form."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request, url_for
from flask import session as flask_session

import locales
from domain.access import can_see_personal_data
from domain.actions import Action
from domain.corrections import DATE_LABELS, correctable
from domain.event_texts import describe
from services import audit, reports
from services.casework import actions_for, contacts_of, suggest_next_municipality
from services.history import history_of
from services.meetings import meetings_of
from services.placements import recorded_dates
from services.program_setup import current_program
from services.referrals import current_request, facts_of, get_referral, open_request_of
from storage import queries
from web import runtime
from web.forms.answer import AcceptForm, DeclineForm
from web.forms.base import Form, OnceForm
from web.forms.fields import SelectChoice, options
from web.forms.new_referral import ParticipantForm
from web.forms.placement import (
    AssessmentPlanForm,
    BookMeetingForm,
    CorrectDateForm,
    EndForm,
    ExtendForm,
    FinalReportForm,
    MeetingHeldForm,
    WorkplaceTrainingForm,
)
from web.forms.referral_actions import (
    AlternativePlanForm,
    AskAnotherForm,
    MarkProtectedForm,
    ReasonForm,
    WithdrawConsentForm,
    WithdrawForm,
)

FORMS: dict[Action, type[Form]] = {
    Action.WITHDRAW: WithdrawForm,
    Action.ASK_ANOTHER: AskAnotherForm,
    Action.ALTERNATIVE_PLAN: AlternativePlanForm,
    Action.ACCEPT: AcceptForm,
    Action.DECLINE: DeclineForm,
    Action.MEETING_HELD: MeetingHeldForm,
    Action.ASSESSMENT_PLAN: AssessmentPlanForm,
    Action.WORKPLACE_TRAINING: WorkplaceTrainingForm,
    Action.EXTEND: ExtendForm,
    Action.END: EndForm,
    Action.FINAL_REPORT: FinalReportForm,
    Action.EDIT_PARTICIPANT: ParticipantForm,
    Action.CORRECT_DATE: CorrectDateForm,
    Action.BOOK_MEETING: BookMeetingForm,
    Action.CHANGE_MEETING: BookMeetingForm,  # per meeting, on the meeting's own page
    Action.WRITE_PLAN: OnceForm,  # on the document's own page
    Action.WRITE_FINAL_REPORT: OnceForm,
    Action.WITHDRAW_CONSENT: WithdrawConsentForm,
    Action.MARK_PROTECTED: MarkProtectedForm,
}

# The address each action's form posts to (the endpoint of its view).
ENDPOINTS = {
    Action.WITHDRAW: "referral_actions.withdraw",
    Action.ASK_ANOTHER: "referral_actions.ask_another",
    Action.ALTERNATIVE_PLAN: "referral_actions.alternative_plan",
    Action.ACCEPT: "placement_actions.accept",
    Action.DECLINE: "placement_actions.decline",
    Action.MEETING_HELD: "placement_actions.meeting_held",
    Action.ASSESSMENT_PLAN: "placement_actions.assessment_plan",
    Action.WORKPLACE_TRAINING: "placement_actions.workplace_training",
    Action.EXTEND: "placement_actions.extend",
    Action.END: "placement_actions.end",
    Action.FINAL_REPORT: "placement_actions.final_report",
    Action.EDIT_PARTICIPANT: "referral_actions.edit_participant",
    Action.CORRECT_DATE: "placement_actions.correct_date",
    Action.BOOK_MEETING: "meetings.book",
    Action.CHANGE_MEETING: "referrals.detail",
    Action.WRITE_PLAN: "referrals.detail",
    Action.WRITE_FINAL_REPORT: "referrals.detail",
    Action.WITHDRAW_CONSENT: "referral_actions.withdraw_consent_view",
    Action.MARK_PROTECTED: "referral_actions.mark_protected_view",
}


def date_choices(referral: Any) -> list[SelectChoice]:
    """The placement's recorded dates, each with its value now, to choose one to correct."""
    dates = recorded_dates(referral.placement)
    return options(
        (
            field.value,
            locales.gettext(
                "%(what)s: %(date)s",
                what=locales.gettext(DATE_LABELS[field]),
                date=dates.value(field),
            ),
        )
        for field in correctable(dates)
    )


REASONS = "mm_view_reasons"


def detail_page(
    code: str,
    *,
    failed: tuple[Action, Form] | None = None,
    status: int = 200,
    reason_failed: Form | None = None,
) -> tuple[str, int]:
    actor = runtime.actor()
    # Read only (no write lock on SQLite); the view of personal data is logged apart.
    with runtime.transaction(read_only=True) as session:
        referral = get_referral(session, actor=actor, reference_code=code)
        program = current_program(session)
        reasons = flask_session.get(REASONS) or {}
        asking = current_app.config["MM_ASK_REASON"]
        participant = audit.personal_data_for(
            session,
            actor=actor,
            referral=referral,
            now=runtime.now(),
            address=request.remote_addr or "",
            reason=reasons.get(referral.reference_code),
            asking_reasons=asking,
            apart=runtime.sessions(),
        )
        reason_form = None
        if participant is None and audit.reason_needed(
            session, actor=actor, referral=referral, asking=asking
        ):
            reason_form = reason_failed or ReasonForm(formdata=None)
        names = {m.id: m.name for m in queries.municipalities(session)}
        events = [
            (e.at, describe(e, names), e.actor.name if e.actor else None)
            for e in history_of(session, referral.id)
        ]
        allowed = actions_for(actor, referral, today=runtime.today(), program=program)
        forms: dict[Action, Form] = {a: FORMS[a](formdata=None) for a in allowed}
        if failed is not None:
            forms[failed[0]] = failed[1]
        open_request = open_request_of(referral)
        for action in (Action.ACCEPT, Action.DECLINE):
            fresh = failed is None or failed[0] is not action
            if action in forms and open_request is not None and fresh:
                forms[action].request_id.data = open_request.id
        if Action.CORRECT_DATE in forms:
            forms[Action.CORRECT_DATE].field.choices = date_choices(referral)
        suggestion = None
        places = {}
        if Action.ASK_ANOTHER in forms:
            availability = reports.availability(session, today=runtime.today())
            places = {m.municipality_id: m for m in availability.municipalities}
            asked = {r.municipality_id for r in referral.requests}
            form = forms[Action.ASK_ANOTHER]
            form.ask_municipality.choices = options(
                (i, n) for i, n in names.items() if i not in asked
            )
            suggestion = suggest_next_municipality(availability, referral)
            if form.ask_municipality.data is None:
                form.ask_municipality.data = suggestion
        html = render_template(
            "referrals/detail.html",
            referral=referral,
            request=current_request(referral),
            placement=referral.placement,
            participant=participant,
            shown=audit.view_of(actor, referral) if participant is not None else None,
            personal_data_allowed=can_see_personal_data(actor, facts_of(referral)),
            reason_form=reason_form,
            events=events,
            forms=forms,
            failed=failed[1] if failed else None,
            urls={a: url_for(ENDPOINTS[a], code=referral.reference_code) for a in forms},
            Action=Action,
            suggestion=suggestion,
            places=places,
            contacts=contacts_of(session, referral),
            meetings=meetings_of(session, actor=actor, referral=referral),
            today=runtime.today(),
            names=names,
            title=locales.gettext("Referral %(code)s", code=referral.reference_code),
        )
    return html, status
