"""The common shape of an action on a referral: check the form, run one use case on the
referral named in the address, then back to its page with a note, or the page again with
the form's errors (and nothing saved)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, url_for
from sqlalchemy.orm import Session

from domain.actions import Action
from services.casework import may_take
from services.referrals import get_referral
from storage.models import Referral
from web import runtime
from web.forms.base import Form, OnceForm
from web.views import attempt, once
from web.views.detail import FORMS, detail_page

Work = Callable[[Session, Referral, Any], object]


def act(
    code: str,
    action: Action,
    work: Work,
    done: str | Callable[[Any], str],
    prepare: Callable[[Form, Session], None] | None = None,
) -> Any:
    form = FORMS[action]()
    with runtime.transaction() as session:
        referral = get_referral(session, actor=runtime.actor(), reference_code=code)
        if not may_take(runtime.actor(), referral, action):
            abort(404)
        if prepare is not None:
            prepare(form, session)
    if form.validate():

        def run(session: Session) -> str:
            referral = get_referral(session, actor=runtime.actor(), reference_code=code)
            work(session, referral, form)
            return action.value

        outcome = once(form, run) if isinstance(form, OnceForm) else attempt(form, run)
        if outcome.ok:
            flash(done if isinstance(done, str) else done(form), "success")
            return redirect(url_for("referrals.detail", code=code.strip().upper()))
    return detail_page(code, failed=(action, form), status=400)
