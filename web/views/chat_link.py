"""/koppla/<token>: the bot sends people here to link their Slack user to this account."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from services.chat_links import confirm_link
from web import runtime
from web.auth import logged_in
from web.forms.chat_link import ConfirmLinkForm
from web.views import attempt

blueprint = Blueprint("chat_link", __name__)


@blueprint.get("/koppla/<token>")
@logged_in
def confirm_page(token: str) -> Any:
    return render_template("chat_link.html", form=ConfirmLinkForm(), token=token, linked=False)


@blueprint.post("/koppla/<token>")
@logged_in
def confirm(token: str) -> Any:
    form = ConfirmLinkForm()
    done = attempt(
        form,
        lambda s: confirm_link(s, actor=runtime.actor(), token=token, now=runtime.now()),
    )
    return (
        render_template("chat_link.html", form=form, token=token, linked=done.ok),
        200 if done.ok else 400,
    )
