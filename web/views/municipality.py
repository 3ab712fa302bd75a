"""The municipality contact's pages: the inbox of requests and placements, and the
municipality's own capacity and offer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

import locales
from domain.choices import Role
from domain.errors import RuleViolation
from services import reports
from services.lists import PAGE_SIZE, Inbox, Page, inbox_for
from services.municipalities import set_capacity, set_offer
from storage.models import Municipality
from web import runtime
from web.auth import roles
from web.forms.base import Form
from web.forms.municipality import CapacityForm, OfferForm
from web.forms.overview import SearchForm
from web.views import attempt, page_at

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
    form = SearchForm(formdata=request.args)
    status = 200
    # Read only (no write lock on SQLite); a search for a person writes its audit row apart.
    with runtime.transaction(read_only=True) as session:
        try:
            found = inbox_for(
                session,
                actor=runtime.actor(),
                now=runtime.now(),
                address=request.remote_addr or "",
                search=form.q.data if form.validate() else None,
                page=page_at("sida"),
                placements_page=page_at("platser"),
                audit_apart=runtime.sessions(),
            )
        except RuleViolation as error:  # e.g. a personnummer that is not valid
            form.q.errors = [*form.q.errors, locales.render(error.text)]
            found = Inbox(Page([], 0, 1, PAGE_SIZE), Page([], 0, 1, PAGE_SIZE))
            status = 400
    html = render_template("municipality/inbox.html", inbox=found, form=form, today=runtime.today())
    return html, status


def _page(capacity: CapacityForm, offer: OfferForm, failed: Form | None, status: int) -> Any:
    own = _own()
    with runtime.transaction(read_only=True) as session:  # reads only: no write lock
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
                municipality_id=_own(),
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
                municipality_id=_own(),
                offer=form.offer.data or "",
                now=runtime.now(),
            ),
        ).ok
    ):
        flash(locales.gettext("The offer has been saved."), "success")
        return redirect(url_for("municipality.page"))
    return _page(CapacityForm(formdata=None), form, form, 400)
