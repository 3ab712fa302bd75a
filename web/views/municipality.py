"""The municipality contact's pages: the inbox of requests and placements, and the
municipality's own capacity and offer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

import locales
from domain.choices import Role
from services import reports
from services.casework import inbox_for
from services.municipalities import set_capacity, set_offer
from storage.models import Municipality
from web import runtime
from web.auth import roles
from web.forms.base import Form
from web.forms.municipality import CapacityForm, OfferForm
from web.views import attempt

blueprint = Blueprint("municipality", __name__)
contacts_only = roles(Role.MUNICIPALITY_CONTACT)


@blueprint.get("/forfragningar")
@contacts_only
def inbox() -> Any:
    with runtime.transaction() as session:
        found = inbox_for(session, actor=runtime.actor())
    return render_template("municipality/inbox.html", inbox=found, today=runtime.today())


def _page(capacity: CapacityForm, offer: OfferForm, failed: Form | None, status: int) -> Any:
    actor = runtime.actor()
    own = actor.municipality_id
    assert own is not None  # a municipality contact belongs to one
    with runtime.transaction() as session:
        municipality = session.get_one(Municipality, own)
        places = reports.places_of(session, own)
        if request.method == "GET" or failed is not offer:
            offer.offer.data = municipality.offer
        if request.method == "GET" or failed is not capacity:
            capacity.capacity.data = municipality.capacity
            capacity.state.process_data(municipality.intake_state)
        html = render_template(
            "municipality/page.html",
            municipality=municipality,
            places=places,
            capacity_form=capacity,
            offer_form=offer,
            failed=failed,
        )
    return html, status


@blueprint.get("/kommun")
@contacts_only
def page() -> Any:
    return _page(CapacityForm(formdata=None), OfferForm(formdata=None), None, 200)


@blueprint.post("/kommun/kapacitet")
@contacts_only
def capacity() -> Any:
    form = CapacityForm()
    if (
        form.validate()
        and attempt(
            form,
            lambda s: set_capacity(
                s,
                actor=runtime.actor(),
                municipality_id=runtime.actor().municipality_id,
                capacity=form.capacity.data,
                state=form.state.data,
                now=runtime.now(),
            ),
        ).ok
    ):
        flash(locales.gettext("The capacity has been saved."), "success")
        return redirect(url_for("municipality.page"))
    return _page(form, OfferForm(formdata=None), form, 400)


@blueprint.post("/kommun/erbjudande")
@contacts_only
def offer() -> Any:
    form = OfferForm()
    if (
        form.validate()
        and attempt(
            form,
            lambda s: set_offer(
                s,
                actor=runtime.actor(),
                municipality_id=runtime.actor().municipality_id,
                offer=form.offer.data or "",
                now=runtime.now(),
            ),
        ).ok
    ):
        flash(locales.gettext("The offer has been saved."), "success")
        return redirect(url_for("municipality.page"))
    return _page(CapacityForm(formdata=None), form, form, 400)
