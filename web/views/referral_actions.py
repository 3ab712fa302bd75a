"""Försäkringskassan's actions on a referral: withdraw it, ask another municipality after a
decline, record the alternative plan."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

import locales
from domain.actions import Action
from services.placements import record_alternative_plan
from services.referrals import request_placement, withdraw_referral
from web import runtime
from web.auth import logged_in
from web.views import municipality_choices
from web.views.actions import act

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
