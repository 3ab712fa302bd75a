"""The common shape of an action on a referral: check the form, run one use case on the
referral named in the address, then back to its page with a note, or the page again with
the form's errors (and nothing saved).

Some actions ask first, on a page of their own (no script needed): withdrawing and ending
always (`ask`), accepting when the municipality has no free place (the use case's question).
The question page posts the same form again with its confirmation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

import locales
from domain.actions import Action
from services.casework import may_take
from services.referrals import get_referral
from storage.models import Referral
from web import runtime
from web.forms.base import Form, OnceForm
from web.views import attempt, once
from web.views.detail import FORMS, detail_page

Work = Callable[[Session, Referral, Any], object]

# The hidden field a question page adds to the form it posts again.
CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Question:
    """What a confirmation page asks, and what it shows of the action first."""

    heading: str
    question: str
    button: str
    details: Sequence[tuple[str, str]] = ()


def question_page(code: str, question: Question, *, flag: str = CONFIRMED) -> Any:
    """The form as sent, again, with its confirmation: every value it came with is kept."""
    carried = [
        (name, value)
        for name, values in request.form.lists()
        if name not in {"csrf_token", flag}
        for value in values
    ]
    if not any(name == "submission_key" for name, _value in carried):
        carried.append(("submission_key", str(OnceForm(formdata=None).submission_key.data)))
    return render_template(
        "referrals/confirm.html",
        code=code,
        question=question,
        carried=carried,
        flag=flag,
        title=question.heading,
    ), 200


def act(
    code: str,
    action: Action,
    work: Work,
    done: str | Callable[[Any], str],
    prepare: Callable[[Form, Session], None] | None = None,
    ask: Callable[[Any, Referral], Question] | None = None,
) -> Any:
    form = FORMS[action]()
    with runtime.transaction() as session:
        referral = get_referral(session, actor=runtime.actor(), reference_code=code)
        if not may_take(runtime.actor(), referral, action):
            abort(404)
        if prepare is not None:
            prepare(form, session)
        asking = ask(form, referral) if ask is not None else None
    if form.validate():

        def run(session: Session) -> str:
            referral = get_referral(session, actor=runtime.actor(), reference_code=code)
            work(session, referral, form)
            return action.value

        confirmed = request.form.get(CONFIRMED) == "1"
        if isinstance(form, OnceForm):
            outcome = once(form, run, rehearse=asking is not None and not confirmed)
        else:
            outcome = attempt(form, run)
        if outcome.rehearsed and asking is not None:
            return question_page(code, asking)
        if outcome.question is not None:
            return question_page(
                code,
                Question(
                    heading=locales.gettext("No free place"),
                    question=locales.render(outcome.question.text),
                    button=locales.gettext("Yes, accept over the capacity"),
                ),
                flag="over_capacity",
            )
        if outcome.ok:
            flash(done if isinstance(done, str) else done(form), "success")
            return redirect(url_for("referrals.detail", code=code.strip().upper()))
    return detail_page(code, failed=(action, form), status=400)
