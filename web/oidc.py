"""Logging in with the organisation's identity provider over OpenID Connect (authorization
code flow with PKCE and a nonce, Authlib's Flask client).

The ID token is checked by Authlib: signature against the provider's published keys (JWKS,
fetched again when a token names a key it has not seen: the provider rotated its keys),
issuer, audience, expiry and nonce. The identity in the claim the setting names
(OIDC_IDENTITY_CLAIM: `email`, an HSA-id or the Swedish OIDC profile's personnummer claim)
must belong to an account an administrator made: a first login never creates one
(services.login.check_identity). A conformant provider puts the claims asked for by scope
into UserInfo, not the ID token (OpenID Connect Core 5.4), so UserInfo is asked when the ID
token lacks the claim.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

import locales
from domain.authentication import merged_claims

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


class OtherSubject(ValueError):
    """UserInfo answered about someone else than the ID token (its `sub` differs)."""


ID_TOKEN = "the ID token"
ID_TOKEN_AND_USERINFO = "the ID token and UserInfo"


def claims_with(token: dict[str, Any], claim: str) -> tuple[dict[str, Any], str]:
    """The claims of the person who logged in, with `claim` if the provider gives it, and
    where it was looked for (for the operator's log, never the value). The ID token's checked
    claims first; UserInfo (with the access token) only when they lack the claim."""
    id_token = dict(token["userinfo"])
    if id_token.get(claim) or claim == "sub":
        return id_token, ID_TOKEN
    provider = client()
    if not provider.load_server_metadata().get("userinfo_endpoint"):
        return id_token, ID_TOKEN
    merged = merged_claims(id_token, dict(provider.userinfo(token=token)))
    if merged is None:
        raise OtherSubject("UserInfo is about another subject")
    return merged, ID_TOKEN_AND_USERINFO
