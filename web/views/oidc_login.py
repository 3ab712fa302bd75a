"""/logga-in/idp: the way to and back from the identity provider."""

from __future__ import annotations

import logging
from typing import Any

from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, abort, current_app, render_template, request, session, url_for
from joserfc.errors import JoseError

import locales
from services.login import check_identity
from web import login_flow, oidc, runtime
from web.auth import safe_next

blueprint = Blueprint("oidc_login", __name__)
log = logging.getLogger(__name__)


def _unreachable(*more: type[Exception]) -> tuple[type[Exception], ...]:
    """What says the identity provider could not be reached or answered nonsense. requests
    is loaded with Authlib's client when OIDC is on (web.oidc), not in every worker."""
    import requests

    return (AuthlibBaseError, *more, requests.RequestException, ValueError, KeyError)


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
    except _unreachable():
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
    config = current_app.config
    claim = config["OIDC_IDENTITY_CLAIM"]
    try:
        token = oidc.client().authorize_access_token()
        if not token.get("userinfo"):
            raise ValueError("no ID token")
        claims, looked_in = oidc.claims_with(token, claim)
    except _unreachable(JoseError) as error:
        log.warning("OpenID Connect login refused: %s", type(error).__name__)
        return _problem(
            locales.gettext(
                "The login at the identity provider could not be completed, so you are not "
                "logged in. Start again from the login page."
            )
        )
    value = claims.get(claim)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a number some providers send unquoted
    if not isinstance(value, str) or not value.strip():
        # The operator's line names the claim and where it was looked for, never a value.
        log.warning(
            "OpenID Connect login refused: the claim %r (OIDC_IDENTITY_CLAIM) was looked for in "
            "%s and is not there; check OIDC_SCOPE and what the provider releases to this client",
            claim,
            looked_in,
        )
        return _problem(
            locales.gettext(
                "The identity provider did not tell the site who you are, so you are not "
                "logged in and nothing has been saved. Tell the administrator of "
                "Möjlighetsmodellen: the settings for the identity provider need to be "
                "checked."
            ),
            403,
        )
    with runtime.transaction() as db:
        result = check_identity(
            db,
            claim=claim,
            value=value,
            # `acr` only from the signed ID token (Core 2), never from UserInfo.
            acr=token["userinfo"].get("acr"),
            acr_values=frozenset(config.get("OIDC_ACR_VALUES") or ()),
            second_factor_for_all=config["MM_SECOND_FACTOR_FOR_ALL"],
            site_second_factor=config["OIDC_SECOND_FACTOR"] != "provider",
        )
    if result.user is None:
        return _problem(locales.render(result.problem), 403)  # type: ignore[arg-type]
    if result.second_factor_due:
        return login_flow.begin(result.user, None, first_factor=login_flow.OIDC)
    return login_flow.complete(result.user, "oidc")
