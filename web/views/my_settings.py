"""Mina inställningar: a person's own page — how they get each kind of notice: in chat, by
e-mail, or both. (The e-mail goes to the address of their account.)"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

import locales
from domain.notices import KIND_LABELS, kinds_for
from services.notices import preferences_of, set_preferences
from web import runtime
from web.auth import logged_in
from web.forms.base import Form
from web.forms.my_settings import notices_form
from web.views import attempt

blueprint = Blueprint("my_settings", __name__)


def _page(form: Form, status: int) -> Any:
    kinds = kinds_for(runtime.actor())
    return (
        render_template("my_settings.html", form=form, kinds=kinds, labels=KIND_LABELS),
        status,
    )


@blueprint.get("/mina-installningar")
@logged_in
def page() -> Any:
    actor = runtime.actor()
    with runtime.transaction() as session:
        chosen = preferences_of(session, actor=actor)
    form = notices_form(
        kinds_for(actor), formdata=None, data={k.value: w for k, w in chosen.items()}
    )
    return _page(form, 200)


@blueprint.post("/mina-installningar")
@logged_in
def save() -> Any:
    actor = runtime.actor()
    kinds = kinds_for(actor)
    form = notices_form(kinds)
    if (
        form.validate()
        and attempt(
            form,
            lambda s: set_preferences(
                s, actor=actor, choices={kind: form[kind.value].data for kind in kinds}
            ),
        ).ok
    ):
        flash(locales.gettext("Your settings have been saved."), "success")
        return redirect(url_for("my_settings.page"))
    return _page(form, 400)
