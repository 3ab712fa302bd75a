"""/webhooks: the administrator's webhook receivers: register one (its signing secret is
shown once, on the answer to the form), see them, stop one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy.orm import Session

import locales
from domain.choices import Role
from domain.webhooks import EVENT_LABELS
from services import webhooks
from web import runtime
from web.auth import roles
from web.forms.base import Form
from web.forms.webhooks import WebhookForm
from web.views import attempt

blueprint = Blueprint("webhooks", __name__, url_prefix="/webhooks")
admin_only = roles(Role.ADMIN)


def _page(form: WebhookForm, status: int, secret: str | None = None) -> Any:
    with runtime.transaction(read_only=True) as session:
        html = render_template(
            "accounts/webhooks.html",
            receivers=webhooks.list_subscriptions(session, actor=runtime.actor()),
            form=form,
            secret=secret,
            event_label=lambda kind: locales.gettext(
                next(v for k, v in EVENT_LABELS.items() if k.value == kind)
            ),
        )
    return html, status


@blueprint.get("")
@admin_only
def listing() -> Any:
    return _page(WebhookForm(formdata=None), 200)


@blueprint.post("")
@admin_only
def add() -> Any:
    form = WebhookForm()
    if form.validate():

        def register(session: Session) -> str:
            return webhooks.add_subscription(
                session,
                actor=runtime.actor(),
                name=form.name.data,
                url=form.url.data,
                events=list(form.events.data or []),
                now=runtime.now(),
            ).secret

        done = attempt(form, register)
        if done.ok:
            return _page(WebhookForm(formdata=None), 200, secret=done.value)
    return _page(form, 400)


@blueprint.post("/<int:subscription_id>/stoppa")
@admin_only
def stop(subscription_id: int) -> Any:
    done = attempt(
        Form(),
        lambda s: webhooks.stop_subscription(
            s, actor=runtime.actor(), subscription_id=subscription_id
        ),
    )
    if done.ok:
        flash(locales.gettext("No more events are sent to the receiver."), "success")
    return redirect(url_for("webhooks.listing"))
