"""/api-nycklar: the administrator's API tokens: make one (shown once, on the answer to the
form and nowhere else: not in a flash message, which would be stored with the session),
see each one's role, municipality, expiry and last use, and revoke one."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy.orm import Session

import locales
from domain.choices import Role
from domain.clock import STOCKHOLM
from services import api_tokens
from storage.models import Municipality
from web import runtime
from web.auth import roles
from web.forms.api_tokens import ApiTokenForm
from web.forms.base import Form
from web.views import attempt, municipality_choices

blueprint = Blueprint("api_tokens", __name__, url_prefix="/api-nycklar")
admin_only = roles(Role.ADMIN)


def _page(form: ApiTokenForm, status: int, made: str | None = None) -> Any:
    with runtime.transaction(read_only=True) as session:
        form.fill_choices(municipality_choices(session))
        html = render_template(
            "accounts/api_tokens.html",
            tokens=api_tokens.list_tokens(session, actor=runtime.actor()),
            form=form,
            made=made,
            now=runtime.now(),
        )
    return html, status


@blueprint.get("")
@admin_only
def listing() -> Any:
    return _page(ApiTokenForm(formdata=None), 200)


@blueprint.post("")
@admin_only
def add() -> Any:
    form = ApiTokenForm()
    with runtime.transaction(read_only=True) as session:
        form.fill_choices(municipality_choices(session))
    if form.validate():

        def make(session: Session) -> str:
            chosen = form.municipality.data
            expires = form.expires.data
            return api_tokens.add_token(
                session,
                actor=runtime.actor(),
                name=form.name.data,
                role=form.role.data,
                municipality=session.get(Municipality, chosen) if chosen else None,
                # Good through the whole last day, Swedish time.
                expires_at=datetime.combine(expires, time.max, STOCKHOLM) if expires else None,
                now=runtime.now(),
            ).token

        done = attempt(form, make)
        if done.ok:
            return _page(ApiTokenForm(formdata=None), 200, made=done.value)
    return _page(form, 400)


@blueprint.post("/<int:token_id>/aterkalla")
@admin_only
def revoke(token_id: int) -> Any:
    form = Form()

    def run(session: Session) -> None:
        api_tokens.revoke_token(
            session, actor=runtime.actor(), token_id=token_id, now=runtime.now()
        )

    if attempt(form, run).ok:
        flash(locales.gettext("The API token has been revoked."), "success")
    return redirect(url_for("api_tokens.listing"))
