"""/koppla/<token>: the bot sends people here to link their Slack user to this account. The
page names the Slack user and workspace asking, and moves an existing link only when the
person ticks the box to replace it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from domain.errors import RuleViolation
from services.chat_links import confirm_link, pending_link
from web import runtime
from web.auth import logged_in
from web.forms.chat_link import ConfirmLinkForm
from web.views import attempt

blueprint = Blueprint("chat_link", __name__)


def _page(form: ConfirmLinkForm, token: str, linked: bool, status: int) -> Any:
    pending = None
    if not linked:
        try:
            with runtime.transaction(read_only=True) as db:
                pending = pending_link(db, actor=runtime.actor(), token=token, now=runtime.now())
        except RuleViolation as error:
            if not form.problems():
                form.add_domain_error(error)
    return render_template(
        "chat_link.html", form=form, token=token, linked=linked, pending=pending
    ), status


@blueprint.get("/koppla/<token>")
@logged_in
def confirm_page(token: str) -> Any:
    return _page(ConfirmLinkForm(formdata=None), token, False, 200)


@blueprint.post("/koppla/<token>")
@logged_in
def confirm(token: str) -> Any:
    form = ConfirmLinkForm()
    done = attempt(
        form,
        lambda s: confirm_link(
            s,
            actor=runtime.actor(),
            token=token,
            now=runtime.now(),
            replace=bool(form.replace.data),
        ),
    )
    return _page(form, token, done.ok, 200 if done.ok else 400)
