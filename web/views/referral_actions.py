"""Försäkringskassan's actions on a referral: withdraw it, ask another municipality after a
decline, record the alternative plan, record that the participant withdrew consent; and the
reason a coordinator gives before opening personal data they have not worked with."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, session, url_for

import locales
from domain.actions import Action
from domain.errors import RuleViolation
from services.audit import checked_reason
from services.placements import record_alternative_plan
from services.referrals import request_placement, withdraw_consent, withdraw_referral
from web import runtime
from web.auth import logged_in
from web.forms.referral_actions import ReasonForm
from web.views import municipality_choices
from web.views.actions import act
from web.views.detail import REASONS, detail_page

blueprint = Blueprint("referral_actions", __name__, url_prefix="/anmalningar/<code>")


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
            reasons = dict(session.get(REASONS) or {})
            reasons[code.strip().upper()] = reason
            session[REASONS] = reasons
            return redirect(url_for("referrals.detail", code=code.strip().upper()))
    return detail_page(code, reason_failed=form, status=400)
