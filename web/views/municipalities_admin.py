"""/kommuner: the administrator's list of municipalities: add one, change its name,
kommunkod, Slack channel and Matrix room."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

import locales
from domain.choices import Role
from services.municipalities import add_municipality, change_municipality
from storage import queries
from web import runtime
from web.auth import roles
from web.forms.accounts import MunicipalityForm
from web.views import attempt

blueprint = Blueprint("municipalities_admin", __name__, url_prefix="/kommuner")
admin_only = roles(Role.ADMIN)


def _page(new: MunicipalityForm, failed: tuple[int, MunicipalityForm] | None, status: int) -> Any:
    with runtime.transaction(read_only=True) as db:
        rows = []
        for m in queries.municipalities(db):
            if failed is not None and failed[0] == m.id:
                form = failed[1]
            else:
                form = MunicipalityForm(formdata=None, prefix=f"m{m.id}")
                form.name.data, form.code.data = m.name, m.code
                form.slack_channel.data = m.slack_channel or ""
                form.matrix_room.data = m.matrix_room or ""
            rows.append({"id": m.id, "name": m.name, "form": form})
        html = render_template("accounts/municipalities.html", rows=rows, new=new)
    return html, status


@blueprint.get("")
@admin_only
def listing() -> Any:
    return _page(MunicipalityForm(formdata=None, prefix="new"), None, 200)


@blueprint.post("")
@admin_only
def add() -> Any:
    form = MunicipalityForm(prefix="new")
    if form.validate():
        done = attempt(
            form,
            lambda db: add_municipality(
                db,
                actor=runtime.actor(),
                name=form.name.data,
                code=form.code.data,
                slack_channel=form.slack_channel.data,
                matrix_room=form.matrix_room.data,
                now=runtime.now(),
            ),
        )
        if done.ok:
            flash(locales.gettext("The municipality has been added."), "success")
            return redirect(url_for("municipalities_admin.listing"))
    return _page(form, None, 400)


@blueprint.post("/<int:municipality_id>")
@admin_only
def change(municipality_id: int) -> Any:
    form = MunicipalityForm(prefix=f"m{municipality_id}")
    if form.validate():
        done = attempt(
            form,
            lambda db: change_municipality(
                db,
                actor=runtime.actor(),
                municipality_id=municipality_id,
                name=form.name.data,
                code=form.code.data,
                slack_channel=form.slack_channel.data,
                matrix_room=form.matrix_room.data,
                now=runtime.now(),
            ),
        )
        if done.ok:
            flash(locales.gettext("The municipality has been changed."), "success")
            return redirect(url_for("municipalities_admin.listing"))
    return _page(MunicipalityForm(formdata=None, prefix="new"), (municipality_id, form), 400)
