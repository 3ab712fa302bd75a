"""Ny anmälan: the investigator's form, with a suggested municipality, and the receipt."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

import locales
from domain.availability import suggest_municipality
from domain.choices import Role
from domain.participants import ParticipantDetails
from services import reports
from services.referrals import file_referral, get_referral
from storage import queries
from web import runtime
from web.auth import roles
from web.forms.fields import SelectChoice
from web.forms.new_referral import NewReferralForm
from web.views import municipality_choices, once

blueprint = Blueprint("new_referral", __name__)


def _page(form: NewReferralForm, status: int, suggest: bool = False) -> Any:
    with runtime.transaction(read_only=True) as session:
        availability = reports.availability(session, today=runtime.today())
        offers = {m.id: m.offer for m in queries.municipalities(session)}
    suggestion = suggest_municipality(availability, form.preferred_municipality.data)
    if form.municipality.data is None or suggest:
        form.municipality.data = suggestion
    places = {m.municipality_id: m for m in availability.municipalities}
    return (
        render_template(
            "referrals/new.html",
            form=form,
            places=places,
            offers=offers,
            suggestion=suggestion,
        ),
        status,
    )


def _with_choices(form: NewReferralForm, session: Session) -> NewReferralForm:
    choices = municipality_choices(session)
    form.municipality.choices = choices
    form.preferred_municipality.choices = [
        SelectChoice("", locales.gettext("No preference")),
        *choices,
    ]
    return form


@blueprint.route("/anmalan/ny", methods=["GET", "POST"])
@roles(Role.INVESTIGATOR)
def new() -> Any:
    with runtime.transaction(read_only=True) as session:
        form = _with_choices(NewReferralForm(), session)
    if request.method == "GET":
        return _page(form, 200)
    if "suggest" in request.form:
        return _page(form, 200, suggest=True)
    if not form.validate():
        return _page(form, 400)
    done = once(
        form,
        lambda session: (
            file_referral(
                session,
                actor=runtime.actor(),
                participant=ParticipantDetails(
                    name=form.name.data,
                    personal_identity_number=form.personal_identity_number.data,
                    phone=form.phone.data or "",
                    needs=form.needs.data or "",
                    protected=bool(form.protected_identity.data),
                ),
                benefit_type=form.benefit_type.data,
                preferred_municipality_id=form.preferred_municipality.data,
                consent_given=form.consent_given.data,
                consent_on=form.consent_on.data,
                municipality_id=form.municipality.data,
                now=runtime.now(),
            ).reference_code
        ),
    )
    if not done.ok:
        return _page(form, 400)
    return redirect(url_for("new_referral.sent", code=done.value))


@blueprint.get("/anmalan/<code>/skickad", endpoint="sent")
@roles(Role.INVESTIGATOR, Role.COORDINATOR)
def receipt(code: str) -> Any:
    with runtime.transaction(read_only=True) as session:
        referral = get_referral(session, actor=runtime.actor(), reference_code=code)
        request_ = referral.requests[-1] if referral.requests else None
        return render_template(
            "referrals/sent.html",
            code=referral.reference_code,
            municipality=request_.municipality.name if request_ else None,
        )
