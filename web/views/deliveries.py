"""Leveranser: chat messages that did not get through, for the administrator — where to,
why, and a button that sends one again. Codes, channels and reasons only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for

import locales
from domain.access import can_manage_deliveries
from domain.delivery import OUTBOX_STATE_LABELS
from domain.message_kinds import MESSAGE_KIND_LABELS
from services.deliveries import failed_deliveries, retry_delivery
from transports.delivery import IN_APP
from transports.delivery_reasons import reason_text
from web import runtime
from web.auth import permitted
from web.forms.base import Form
from web.views import attempt

blueprint = Blueprint("deliveries", __name__)
admins_only = permitted(can_manage_deliveries)


@blueprint.get("/leveranser")
@admins_only
def listing() -> Any:
    with runtime.transaction(read_only=True) as session:
        found = failed_deliveries(session, actor=runtime.actor())
    return render_template(
        "deliveries/list.html",
        deliveries=found,
        message_kind=lambda kind: locales.gettext(MESSAGE_KIND_LABELS[kind]),
        delivery_state=lambda state: locales.gettext(OUTBOX_STATE_LABELS[state]),
        delivery_reason=lambda code: locales.render(reason_text(code)),
    )


@blueprint.post("/leveranser/<int:delivery_id>/skicka-igen")
@admins_only
def retry(delivery_id: int) -> Any:
    form = Form()
    done = attempt(
        form,
        lambda s: retry_delivery(
            s, actor=runtime.actor(), delivery_id=delivery_id, now=runtime.now()
        ),
    )
    if done.ok:
        sender = current_app.extensions.get(IN_APP)
        if sender is not None:  # this process sends it now; otherwise the next sweep does
            sender.deliver_soon([delivery_id])
        flash(locales.gettext("The message is being sent again."), "success")
    else:
        for problem in form.problems():
            flash(problem.message, "error")
    return redirect(url_for("deliveries.listing"))
