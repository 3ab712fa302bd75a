"""/logga-in/idp: the way to and back from the identity provider."""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, abort, current_app, render_template, request, session, url_for
from joserfc.errors import JoseError

import locales
from domain.choices import Role
from services.login import check_identity
from web import login_flow, oidc, runtime
from web.auth import safe_next

blueprint = Blueprint("oidc_login", __name__)
log = logging.getLogger(__name__)


@blueprint.get("/logga-in/idp")
def start() -> Any:
    if not oidc.configured():
        abort(404)
    target = safe_next(request.args.get("next"))
    if target:
        session[login_flow.NEXT] = target
    redirect_uri = url_for("oidc_login.callback", _external=True)
    try:
        return oidc.client().authorize_redirect(redirect_uri)
    except (AuthlibBaseError, requests.RequestException, ValueError, KeyError):
        log.exception("the identity provider could not be reached")
        return _problem(
            locales.gettext(
                "The identity provider cannot be reached just now. Try again in a while."
            ),
            503,
        )


def _problem(message: str, status: int = 400) -> Any:
    return render_template("account/idp_problem.html", message=message), status


@blueprint.get("/logga-in/idp/svar")
def callback() -> Any:
    if not oidc.configured():
        abort(404)
    try:
        token = oidc.client().authorize_access_token()
        claims = token.get("userinfo")
        if not claims:
            raise ValueError("no ID token")
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError) as error:
        log.warning("OpenID Connect login refused: %s", type(error).__name__)
        return _problem(
            locales.gettext(
                "The login at the identity provider could not be completed, so you are not "
                "logged in. Start again from the login page."
            )
        )
    config = current_app.config
    roles = config.get("OIDC_ACR_ROLES")
    with runtime.transaction() as db:
        result = check_identity(
            db,
            claim=config["OIDC_IDENTITY_CLAIM"],
            value=str(claims.get(config["OIDC_IDENTITY_CLAIM"]) or ""),
            acr=claims.get("acr"),
            acr_roles=frozenset(Role(r) for r in roles if r in set(Role))
            if roles
            else frozenset(Role),
            acr_values=frozenset(config.get("OIDC_ACR_VALUES") or ()),
        )
    if result.user is None:
        return _problem(locales.render(result.problem), 403)  # type: ignore[arg-type]
    return login_flow.complete(result.user, "oidc")
