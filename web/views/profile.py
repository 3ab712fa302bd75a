"""Mina uppgifter, a part of Mina inställningar: who I am here, and the contact details the
other party of a referral sees (a work phone and a title). Everyone logged in has this page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

import locales
from domain.choices import LABELS
from services.users import set_contact_details
from storage.models import User
from web import runtime
from web.auth import logged_in
from web.forms.profile import ContactDetailsForm
from web.views import attempt

blueprint = Blueprint("profile", __name__)


def _page(form: ContactDetailsForm, status: int) -> Any:
    with runtime.transaction(read_only=True) as session:
        user = session.get_one(User, runtime.actor().user_id)
        if request.method == "GET":
            form.phone.data, form.title.data = user.phone, user.title
        html = render_template(
            "account/profile.html",
            user=user,
            role=locales.gettext(LABELS[user.role]),
            form=form,
            failed=form if status != 200 else None,
        )
    return html, status


@blueprint.get("/mina-installningar/uppgifter")
@logged_in
def page() -> Any:
    return _page(ContactDetailsForm(formdata=None), 200)


@blueprint.post("/mina-installningar/uppgifter")
@logged_in
def save() -> Any:
    form = ContactDetailsForm()
    if (
        form.validate()
        and attempt(
            form,
            lambda s: set_contact_details(
                s, actor=runtime.actor(), phone=form.phone.data, title=form.title.data
            ),
        ).ok
    ):
        flash(locales.gettext("Your contact details have been saved."), "success")
        return redirect(url_for("profile.page"))
    return _page(form, 400)
