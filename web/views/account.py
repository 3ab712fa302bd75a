"""Logging in and out, and the start page that sends each role to its own page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

import locales
from services.login import log_in
from web import runtime
from web.auth import WebUser, home_url, logged_in, safe_next
from web.forms.login import LoginForm

blueprint = Blueprint("account", __name__)


@blueprint.get("/")
@logged_in
def home() -> Any:
    return redirect(home_url())


@blueprint.route("/logga-in", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            with runtime.transaction() as db:
                result = log_in(
                    db,
                    email=form.email.data,
                    password=form.password.data,
                    address=request.remote_addr or "",
                    now=runtime.now(),
                )
                user = WebUser(result.user) if result.user else None
            if user is not None:
                session.clear()  # a new session for the new login: no fixation
                login_user(user)
                session.permanent = True
                return redirect(safe_next(request.args.get("next")) or home_url())
            form.add_error("email", locales.render(result.problem))
            status = 429 if result.throttled else 400
    return render_template("account/login.html", form=form), status


@blueprint.post("/logga-ut")
def logout() -> Any:
    logout_user()
    session.clear()
    flash(locales.gettext("You are logged out."), "success")
    return redirect(url_for("account.login"))
