"""/mina-installningar: a person's own settings. How they get each kind of notice (in chat,
by e-mail, or both; the e-mail goes to the address of their account), and their security:
the password, the second factor and recovery codes, and the sessions that are logged in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

import locales
from domain.notices import NOTICE_KIND_LABELS, kinds_for
from domain.tokens import token_hash
from notices.recipients import preferences_of, set_preferences
from services import own_account, second_factor, web_sessions
from storage.models import User
from web import runtime, user_agents
from web.auth import logged_in
from web.forms.base import Form
from web.forms.login import ChangePasswordForm
from web.forms.my_settings import notices_form
from web.sessions import ServerSession
from web.views import attempt

blueprint = Blueprint("my_settings", __name__, url_prefix="/mina-installningar")


def _token() -> str | None:
    return session.token if isinstance(session, ServerSession) else None


def _limits() -> web_sessions.Limits:
    from flask import current_app

    return web_sessions.Limits(
        idle=current_app.config["MM_SESSION_IDLE"],
        lifetime=current_app.config["MM_SESSION_LIFETIME"],
    )


@blueprint.get("")
@logged_in
def page() -> Any:
    actor = runtime.actor()
    with runtime.transaction(read_only=True) as db:
        chosen = preferences_of(db, actor=actor)
    form = notices_form(
        kinds_for(actor), formdata=None, data={k.value: w for k, w in chosen.items()}
    )
    return _page(form, 200)


@blueprint.post("")
@logged_in
def save() -> Any:
    actor = runtime.actor()
    kinds = kinds_for(actor)
    form = notices_form(kinds)
    if (
        form.validate()
        and attempt(
            form,
            lambda db: set_preferences(
                db, actor=actor, choices={kind: form[kind.value].data for kind in kinds}
            ),
        ).ok
    ):
        flash(locales.gettext("Your settings have been saved."), "success")
        return redirect(url_for("my_settings.page"))
    return _page(form, 400)


def _page(form: Form, status: int) -> Any:
    actor = runtime.actor()
    current = token_hash(_token() or "")
    with runtime.transaction(read_only=True) as db:
        user = db.get(User, actor.user_id)
        assert user is not None
        rows = web_sessions.sessions_of(
            db, user_id=actor.user_id, now=runtime.now(), limits=_limits()
        )
        listed = [
            {
                "id": row.token_hash,
                "current": row.token_hash == current,
                "logged_in_at": row.logged_in_at or row.created_at,
                "last_seen_at": row.last_seen_at,
                "address": row.address,
                "browser": user_agents.describe(row.user_agent),
            }
            for row in rows
        ]
        codes_left = second_factor.recovery_codes_left(db, user_id=actor.user_id)
        enrolled = user.totp_enrolled_at
        has_password = user.password_hash is not None
        html = render_template(
            "my_settings/page.html",
            user=user,
            form=form,
            kinds=kinds_for(actor),
            labels=NOTICE_KIND_LABELS,
            sessions=listed,
            codes_left=codes_left,
            enrolled=enrolled,
            has_password=has_password,
        )
    return html, status


@blueprint.route("/losenord", methods=["GET", "POST"])
@logged_in
def password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        done = attempt(
            form,
            lambda db: own_account.change_password(
                db,
                actor=runtime.actor(),
                current=form.current_password.data,
                new=form.password.data,
                keep_token=_token(),
                now=runtime.now(),
            ),
        )
        if done.ok:
            flash(
                locales.gettext(
                    "Your password has been changed. You were logged out everywhere else."
                ),
                "success",
            )
            return redirect(url_for("my_settings.page"))
    status = 400 if form.is_submitted() else 200
    return render_template("my_settings/password.html", form=form), status


@blueprint.post("/reservkoder")
@logged_in
def new_recovery_codes() -> Any:
    with runtime.transaction() as db:
        codes = own_account.renew_recovery_codes(db, actor=runtime.actor(), now=runtime.now())
    return render_template(
        "account/recovery_codes.html", codes=codes, next_url=url_for("my_settings.page")
    )


@blueprint.post("/inloggningar/avsluta")
@logged_in
def end_session() -> Any:
    with runtime.transaction() as db:
        own_account.end_other_session(
            db,
            actor=runtime.actor(),
            session_id=request.form.get("session_id", "")[:64],
            current_token=_token(),
        )
    flash(locales.gettext("The other login has been ended."), "success")
    return redirect(url_for("my_settings.page"))
