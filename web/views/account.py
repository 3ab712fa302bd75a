"""Logging in and out: e-mail and password, then the second factor (enrolled at the first
login); and the start page that sends each role to its own page."""

from __future__ import annotations

from typing import Any

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user

import locales
from domain.errors import RuleViolation
from services import login as login_service
from services import own_account, second_factor
from storage.models import User
from web import login_flow, oidc, runtime
from web.auth import home_url, logged_in
from web.forms.login import CodeForm, EnrolForm, LoginForm
from web.sessions import ServerSession

blueprint = Blueprint("account", __name__)


@blueprint.get("/")
@logged_in
def home() -> Any:
    return redirect(home_url())


def _login_page(form: LoginForm, status: int = 200) -> Any:
    return render_template(
        "account/login.html",
        form=form,
        oidc_name=oidc.provider_name(),
        password_login=current_app.config["MM_PASSWORD_LOGIN"] or not oidc.configured(),
        next_url=request.args.get("next", ""),
    ), status


@blueprint.route("/logga-in", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    if request.method == "GET":
        return _login_page(form)
    if not (current_app.config["MM_PASSWORD_LOGIN"] or not oidc.configured()):
        abort(404)
    if not form.validate():
        return _login_page(form, 400)
    with runtime.transaction() as db:
        result = login_service.check_password(
            db,
            email=form.email.data,
            password=form.password.data,
            address=request.remote_addr or "",
            now=runtime.now(),
        )
    if result.user is not None:
        return login_flow.begin(result.user, request.args.get("next"))
    form.add_error("email", locales.render(result.problem))  # type: ignore[arg-type]
    return _login_page(form, 429 if result.throttled else 400)


def _pending_user() -> User | None:
    user_id = login_flow.pending_user_id()
    if user_id is None:
        return None
    with runtime.transaction(read_only=True) as db:
        user = db.get(User, user_id)
        return user if user is not None and user.active else None


def _expired() -> Any:
    flash(locales.gettext("The login took too long. Start again."), "error")
    return redirect(url_for("account.login"))


@blueprint.route("/logga-in/kod", methods=["GET", "POST"])
def code() -> Any:
    user = _pending_user()
    if user is None:
        return _expired()
    if not user.totp_secret:
        return redirect(url_for("account.enrol"))
    form = CodeForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            recovery = second_factor.is_recovery_code(form.code.data)
            with runtime.transaction() as db:
                result = login_service.check_second_factor(
                    db,
                    user_id=user.id,
                    code=form.code.data,
                    address=request.remote_addr or "",
                    now=runtime.now(),
                )
            if result.user is not None:
                method = login_flow.method_with_code(recovery)
                session.pop(login_flow.PENDING, None)
                return login_flow.complete(user, method)
            form.add_error("code", locales.render(result.problem))  # type: ignore[arg-type]
            status = 429 if result.throttled else 400
    return render_template("account/code.html", form=form), status


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG, drawn on the server (the site has no JavaScript)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=2, dark="#0b0c0c", light="#ffffff", title=locales.gettext("QR code")
    )


@blueprint.route("/logga-in/ny-kod", methods=["GET", "POST"])
def enrol() -> Any:
    """First login (or after a reset): set up an authenticator, prove it with a code."""
    user = _pending_user()
    if user is None:
        return _expired()
    if user.totp_secret:
        return redirect(url_for("account.code"))
    secret = session.get(login_flow.ENROL_SECRET)
    if not isinstance(secret, str):
        secret = second_factor.new_secret()
        session[login_flow.ENROL_SECRET] = secret
    form = EnrolForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                with runtime.transaction() as db:
                    codes = own_account.enrol_second_factor(
                        db, user_id=user.id, secret=secret, code=form.code.data, now=runtime.now()
                    )
            except RuleViolation as error:
                form.add_domain_error(error)
            else:
                method = login_flow.method_with_code(recovery=False)
                session.pop(login_flow.PENDING, None)
                session.pop(login_flow.ENROL_SECRET, None)
                return login_flow.complete(user, method, codes=codes)
    uri = second_factor.provisioning_uri(secret, user.email)
    return render_template(
        "account/enrol.html",
        form=form,
        qr=qr_svg(uri),
        key=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    ), status


@blueprint.get("/logga-in/reservkoder")
@logged_in
def recovery_codes() -> Any:
    """The recovery codes, shown once, right after they were made."""
    codes = session.pop(login_flow.RECOVERY_CODES, None)
    if not codes:
        return redirect(home_url())
    target = session.pop(login_flow.NEXT, None)
    return render_template(
        "account/recovery_codes.html", codes=codes, next_url=target or home_url()
    )


@blueprint.post("/logga-ut")
def logout() -> Any:
    logout_user()
    if isinstance(session, ServerSession):
        session.regenerate()  # the row is deleted: a copied cookie opens nothing
    else:  # pragma: no cover
        session.clear()
    flash(locales.gettext("You are logged out."), "success")
    return redirect(url_for("account.login"))
