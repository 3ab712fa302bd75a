"""Logging in with the organisation's identity provider over OpenID Connect (authorization
code flow with PKCE and a nonce, Authlib's Flask client).

The ID token is checked by Authlib: signature against the provider's published keys (JWKS),
issuer, audience, expiry and nonce. The identity in the claim the setting names
(OIDC_IDENTITY_CLAIM: `email`, an HSA-id or a personnummer claim) must belong to an account
an administrator made: a first login never creates one (services.login.check_identity).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

import locales

NAME = "idp"


def configured(app: Flask | None = None) -> bool:
    config = (app or current_app).config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def provider_name() -> str | None:
    if not configured():
        return None
    return current_app.config.get("OIDC_PROVIDER_NAME") or locales.gettext(
        "the organisation's identity provider"
    )


def install(app: Flask) -> None:
    if not configured(app):
        return
    # Imported only where an identity provider is configured: Authlib and its HTTP client
    # are some 16 MB in every web worker otherwise.
    from authlib.integrations.flask_client import OAuth

    config = app.config
    oauth = OAuth(app)
    oauth.register(
        NAME,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config.get("OIDC_CLIENT_SECRET"),
        server_metadata_url=f"{config['OIDC_ISSUER']}/.well-known/openid-configuration",
        client_kwargs={
            "scope": config["OIDC_SCOPE"],
            "code_challenge_method": "S256",
            "timeout": 10,
        },
    )
    app.extensions["mm.oidc"] = oauth


def client() -> Any:
    return current_app.extensions["mm.oidc"].create_client(NAME)
