"""The municipality contact's pages: the inbox of requests and placements, and the
municipality's own capacity and offer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

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


def _own() -> int:
    """The contact's own municipality: a contact always has one (the account rules say so),
    so a missing one is a broken account, not a page to show."""
    municipality_id = runtime.actor().municipality_id
    if municipality_id is None:
        abort(403)
    return municipality_id


@blueprint.get("/forfragningar")
@contacts_only
def inbox() -> Any:
    with runtime.transaction() as session:
        found = inbox_for(session, actor=runtime.actor())
    return render_template("municipality/inbox.html", inbox=found, today=runtime.today())


def _page(capacity: CapacityForm, offer: OfferForm, failed: Form | None, status: int) -> Any:
    actor = runtime.actor()
    with runtime.transaction() as session:
        municipality = session.get(Municipality, _own())
        if municipality is None:
            abort(404)
        places = next(
            m
            for m in reports.availability(session).municipalities
            if m.municipality_id == actor.municipality_id
        )
        if request.method == "GET" or failed is not offer:
            offer.offer.data = municipality.offer
        if request.method == "GET" or failed is not capacity:
            capacity.capacity.data = municipality.capacity
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
                municipality_id=_own(),
                capacity=form.capacity.data,
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
                municipality_id=_own(),
                offer=form.offer.data or "",
                now=runtime.now(),
            ),
        ).ok
    ):
        flash(locales.gettext("The offer has been saved."), "success")
        return redirect(url_for("municipality.page"))
    return _page(CapacityForm(formdata=None), form, form, 400)
