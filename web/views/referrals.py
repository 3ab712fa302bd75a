"""Anmälningar: the investigator's own referrals, every referral for the coordinator (with
filters), each searched by code or personnummer and paged in SQL; and the one detail page
of a referral."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

import locales
from domain.choices import Role
from domain.errors import RuleViolation
from domain.lifecycle import STATUS_LABELS, ReferralStatus
from services.lists import PAGE_SIZE, Page, ReferralRow, referrals_for
from web import runtime
from web.auth import logged_in, roles
from web.forms.fields import options
from web.forms.overview import ReferralFilterForm
from web.views import municipality_filter, page_at
from web.views.detail import detail_page

blueprint = Blueprint("referrals", __name__)


@blueprint.get("/anmalningar")
@roles(Role.INVESTIGATOR, Role.COORDINATOR)
def listing() -> Any:
    actor = runtime.actor()
    form = ReferralFilterForm(formdata=request.args)
    everyone = locales.gettext("All")
    form.status.choices = options(
        [("", everyone)] + [(s.value, locales.gettext(STATUS_LABELS[s])) for s in ReferralStatus]
    )
    status = 200
    # Read only (no write lock on SQLite); a search for a person writes its audit row apart.
    with runtime.transaction(read_only=True) as session:
        form.municipality.choices = municipality_filter(
            session,
            everyone,
            needed=actor.role is Role.COORDINATOR or form.municipality.data is not None,
        )
        filters: dict[str, Any] = {}
        if form.validate():
            filters["search"] = form.q.data
            if actor.role is Role.COORDINATOR:
                filters.update(status=form.status.data, municipality_id=form.municipality.data)
        else:
            status = 400
        try:
            rows: Page[ReferralRow] = referrals_for(
                session,
                actor=actor,
                now=runtime.now(),
                address=request.remote_addr or "",
                page=page_at(),
                audit_apart=runtime.sessions(),
                **filters,
            )
        except RuleViolation as error:  # e.g. a personnummer that is not valid
            form.q.errors = [*form.q.errors, locales.render(error.text)]
            rows, status = Page([], 0, 1, PAGE_SIZE), 400
    return render_template("referrals/list.html", rows=rows, form=form), status


@blueprint.get("/anmalningar/<code>")
@logged_in
def detail(code: str) -> Any:
    return detail_page(code)
