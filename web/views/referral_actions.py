"""Försäkringskassan's actions on a referral: withdraw it (after a question on a page of its
own), ask another municipality after a decline, record the alternative plan, record that the
participant withdrew consent, correct the participant's details before acceptance; and the
reason a coordinator gives before opening personal data they have not worked with."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session

import locales
from domain.actions import Action
from domain.audit import PARTICIPANT_FORM_FIELDS, Seen
from domain.errors import RuleViolation
from domain.participants import ParticipantDetails
from domain.personal_identity import display_personal_identity_number
from services import audit
from services.audit import checked_reason
from services.casework import actions_for, may_take
from services.placements import record_alternative_plan
from services.program_setup import current_program
from services.referrals import (
    correct_participant,
    get_referral,
    mark_protected,
    request_placement,
    withdraw_consent,
    withdraw_referral,
)
from web import runtime
from web.auth import logged_in
from web.forms.new_referral import ParticipantForm
from web.forms.referral_actions import ReasonForm
from web.views import municipality_choices, once
from web.views.actions import Question, act, question_page
from web.views.detail import REASONS, detail_page

blueprint = Blueprint("referral_actions", __name__, url_prefix="/anmalningar/<code>")


def _withdrawing(_form: Any, referral: Any) -> Question:
    return Question(
        heading=locales.gettext("Withdraw the referral"),
        question=locales.gettext(
            "Do you want to withdraw referral %(code)s? The participant will not start a "
            "placement, and an open request is closed. This cannot be undone.",
            code=referral.reference_code,
        ),
        button=locales.gettext("Yes, withdraw the referral"),
    )


@blueprint.get("/aterkalla")
@logged_in
def confirm_withdraw(code: str) -> Any:
    """The question first, on a page of its own (the referral page links here)."""
    with runtime.transaction(read_only=True) as session:
        referral = get_referral(session, actor=runtime.actor(), reference_code=code)
        if not may_take(runtime.actor(), referral, Action.WITHDRAW):
            abort(404)
        possible = Action.WITHDRAW in actions_for(
            runtime.actor(), referral, today=runtime.today(), program=current_program(session)
        )
        asking = _withdrawing(None, referral)
        code = referral.reference_code
    if not possible:
        return redirect(url_for("referrals.detail", code=code))
    return question_page(code, asking)


@blueprint.post("/aterkalla")
@logged_in
def withdraw(code: str) -> Any:
    return act(
        code,
        Action.WITHDRAW,
        lambda s, referral, _f: withdraw_referral(
            s, actor=runtime.actor(), referral=referral, now=runtime.now()
        ),
        locales.gettext("The referral has been withdrawn."),
        ask=_withdrawing,
    )


@blueprint.post("/fraga-kommun")
@logged_in
def ask_another(code: str) -> Any:
    def prepare(form: Any, session: Any) -> None:
        form.ask_municipality.choices = municipality_choices(session)

    return act(
        code,
        Action.ASK_ANOTHER,
        lambda s, referral, f: request_placement(
            s,
            actor=runtime.actor(),
            referral=referral,
            municipality_id=f.ask_municipality.data,
            now=runtime.now(),
        ),
        locales.gettext("The request has been sent to the municipality."),
        prepare,
    )


@blueprint.post("/skyddade-personuppgifter")
@logged_in
def mark_protected_view(code: str) -> Any:
    return act(
        code,
        Action.MARK_PROTECTED,
        lambda s, referral, _f: mark_protected(
            s, actor=runtime.actor(), referral=referral, now=runtime.now()
        ),
        locales.gettext("The participant is marked as having protected personal data."),
    )


@blueprint.post("/alternativ-planering")
@logged_in
def alternative_plan(code: str) -> Any:
    return act(
        code,
        Action.ALTERNATIVE_PLAN,
        lambda s, referral, f: record_alternative_plan(
            s,
            actor=runtime.actor(),
            referral_id=referral.id,
            planned_on=f.planned_on.data,
            now=runtime.now(),
        ),
        locales.gettext("The alternative plan has been recorded."),
    )


def _participant_page(code: str, form: ParticipantForm, status: int) -> Any:
    # Read only; the view of the participant's details is logged apart.
    with runtime.transaction(read_only=True) as session:
        referral = get_referral(session, actor=runtime.actor(), reference_code=code)
        if not may_take(runtime.actor(), referral, Action.EDIT_PARTICIPANT):
            abort(404)
        program = current_program(session)
        allowed = actions_for(runtime.actor(), referral, today=runtime.today(), program=program)
        if Action.EDIT_PARTICIPANT not in allowed:
            flash(
                locales.gettext(
                    "The participant's details can be corrected until a municipality has "
                    "accepted; after that, ask the municipality."
                ),
                "info",
            )
            return redirect(url_for("referrals.detail", code=referral.reference_code))
        if request.method == "GET":
            shown = audit.personal_data_for(
                session,
                actor=runtime.actor(),
                referral=referral,
                now=runtime.now(),
                address=request.remote_addr or "",
                reason=(flask_session.get(REASONS) or {}).get(referral.reference_code),
                asking_reasons=current_app.config["MM_ASK_REASON"],
                seen=Seen.PARTICIPANT_FORM,
                fields=PARTICIPANT_FORM_FIELDS,
                apart=runtime.sessions(),
            )
            if shown is None:  # a reason first, on the referral's page (or purged)
                return redirect(url_for("referrals.detail", code=referral.reference_code))
            else:
                form.name.data = shown.name
                form.personal_identity_number.data = display_personal_identity_number(
                    shown.personal_identity_number
                )
                form.phone.data, form.needs.data = shown.phone, shown.needs
                form.protected_identity.data = shown.protected_identity
        html = render_template(
            "referrals/participant.html",
            form=form,
            code=referral.reference_code,
            title=locales.gettext("Correct the participant's details"),
        )
    return html, status


@blueprint.get("/deltagare")
@logged_in
def edit_participant(code: str) -> Any:
    return _participant_page(code, ParticipantForm(formdata=None), 200)


@blueprint.post("/deltagare")
@logged_in
def save_participant(code: str) -> Any:
    form = ParticipantForm()
    if form.validate():

        def run(session: Any) -> str:
            referral = get_referral(session, actor=runtime.actor(), reference_code=code)
            correct_participant(
                session,
                actor=runtime.actor(),
                referral=referral,
                participant=ParticipantDetails(
                    name=form.name.data,
                    personal_identity_number=form.personal_identity_number.data,
                    phone=form.phone.data or "",
                    needs=form.needs.data or "",
                    protected=bool(form.protected_identity.data),
                ),
                now=runtime.now(),
            )
            return referral.reference_code

        if once(form, run).ok:
            flash(locales.gettext("The participant's details are corrected."), "success")
            return redirect(url_for("referrals.detail", code=code.strip().upper()))
    return _participant_page(code, form, 400)


@blueprint.post("/aterkallat-samtycke")
@logged_in
def withdraw_consent_view(code: str) -> Any:
    return act(
        code,
        Action.WITHDRAW_CONSENT,
        lambda s, referral, f: withdraw_consent(
            s,
            actor=runtime.actor(),
            referral=referral,
            withdrawn_on=f.withdrawn_on.data,
            now=runtime.now(),
        ),
        locales.gettext("The withdrawal of consent has been recorded."),
    )


@blueprint.post("/skal")
@logged_in
def give_reason(code: str) -> Any:
    """The reason is kept in this session for this referral and written with each view."""
    form = ReasonForm()
    if form.validate():
        try:
            reason = checked_reason(form.reason.data)
        except RuleViolation as error:
            form.add_domain_error(error)
        else:
            reasons = dict(flask_session.get(REASONS) or {})
            reasons[code.strip().upper()] = reason
            flask_session[REASONS] = reasons
            return redirect(url_for("referrals.detail", code=code.strip().upper()))
    return detail_page(code, reason_failed=form, status=400)
