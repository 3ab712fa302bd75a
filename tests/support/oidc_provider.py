"""A real OpenID Connect provider for the tests, built from Authlib's server side and served
over HTTP on loopback from a thread: discovery, JWKS, an authorization endpoint with a small
login form, and a token endpoint that issues RS256-signed ID tokens (authorization code flow;
PKCE with S256 and a nonce are required).

It stands in for the organisation's identity provider (Inera's IdP, Sweden Connect). Tests can
make its next ID token expired, signed with a key it does not publish, or carry an `acr`, and
choose what its UserInfo endpoint answers (`userinfo`: the claims, for any bearer token).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify, request
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "mojlighetsmodellen"
CLIENT_SECRET = "test-client-secret"


@dataclass
class Client(ClientMixin):
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return CLIENT_ID

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, CLIENT_SECRET)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    subject: dict[str, Any]
    acr: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:  # type: ignore[override]
        return self.acr


class RequiredPkce(CodeChallenge):
    """PKCE for every client, confidential ones too."""

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        if not grant.request.payload.data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'")
        super().validate_code_challenge(grant, redirect_uri)


class OidcProvider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        self.stranger_key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        self.codes: dict[str, Code] = {}
        self.redirect_uris: list[str] = []
        self.lock = threading.Lock()
        # What the next ID token should be like (tests set these).
        self.next_expired = False
        self.next_wrong_key = False
        self.next_acr: str | None = None
        self.pkce_seen: list[str] = []
        self.userinfo: dict[str, Any] = {}
        self.url = ""
        self.app = self._make_app()

    # -- the OAuth/OIDC pieces -------------------------------------------------------------
    def _make_app(self) -> Flask:
        app = Flask("test-oidc-provider")
        app.config["OAUTH2_ACCESS_TOKEN_GENERATOR"] = True
        provider = self

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")

            def save_authorization_code(self, code: str, req: Any) -> None:
                data = req.payload.data
                provider.pkce_seen.append(data.get("code_challenge_method") or "")
                with provider.lock:
                    provider.codes[code] = Code(
                        code=code,
                        redirect_uri=req.payload.redirect_uri,
                        scope=req.payload.scope,
                        nonce=data.get("nonce"),
                        code_challenge=data.get("code_challenge"),
                        code_challenge_method=data.get("code_challenge_method"),
                        subject=req.user,
                        acr=provider.next_acr,
                    )

            def query_authorization_code(self, code: str, client: Any) -> Code | None:
                with provider.lock:
                    return provider.codes.get(code)

            def delete_authorization_code(self, authorization_code: Code) -> None:
                with provider.lock:
                    provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
                return authorization_code.subject

        class IdToken(OpenIDCode):
            def exists_nonce(self, nonce: str, req: Any) -> bool:
                with provider.lock:
                    return any(c.nonce == nonce for c in provider.codes.values())

            def resolve_client_private_key(self, client: Any) -> Any:
                wrong, provider.next_wrong_key = provider.next_wrong_key, False
                return provider.stranger_key if wrong else provider.key

            def get_client_claims(self, client: Any) -> dict[str, Any]:
                expired, provider.next_expired = provider.next_expired, False
                now = int(time.time())
                claims = {"iss": provider.url, "aud": [CLIENT_ID], "exp": now + 300}
                if expired:
                    claims.update(iat=now - 3600, exp=now - 1800)
                return claims

            def get_encode_header(self, client: Any) -> dict[str, str]:
                return {"alg": "RS256", "kid": "k1"}

            def generate_user_info(self, user: dict[str, Any], scope: str) -> UserInfo:
                return UserInfo(user)

        server = AuthorizationServer(
            app, query_client=self._client, save_token=lambda token, req: None
        )
        server.register_grant(CodeGrant, [IdToken(require_nonce=True), RequiredPkce()])

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify(
                issuer=self.url,
                authorization_endpoint=f"{self.url}/authorize",
                token_endpoint=f"{self.url}/token",
                userinfo_endpoint=f"{self.url}/userinfo",
                jwks_uri=f"{self.url}/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
                token_endpoint_auth_methods_supported=["client_secret_basic"],
                scopes_supported=["openid", "email", "profile"],
            )

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify(KeySet([self.key]).as_dict(private=False))

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize() -> Any:
            if request.method == "GET":
                return (
                    "<!doctype html><html lang='en'><head><title>Test IdP</title></head><body>"
                    "<main><h1>Test identity provider</h1><form method='post'>"
                    "<label for='subject'>Identity</label>"
                    "<input id='subject' name='subject'>"
                    "<button type='submit'>Sign in</button></form></main></body></html>"
                )
            subject = request.form.get("subject", "").strip()
            user = {"sub": subject, "email": subject, "hsa_id": f"SE2321000016-{subject}"}
            grant = server.get_consent_grant(end_user=user)
            return server.create_authorization_response(grant=grant, grant_user=user)

        @app.get("/userinfo")
        def userinfo() -> Any:
            if not request.headers.get("Authorization", "").startswith("Bearer "):
                return jsonify(error="invalid_token"), 401
            return jsonify(self.userinfo)

        @app.post("/token")
        def token() -> Any:
            return server.create_token_response()

        return app

    def _client(self, client_id: str) -> Client | None:
        return Client(self.redirect_uris) if client_id == CLIENT_ID else None


class RunningProvider:
    def __init__(self) -> None:
        self.provider = OidcProvider()
        self.server = make_server("127.0.0.1", 0, self.provider.app, threaded=True)
        self.provider.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return self.provider.url

    def allow_redirect(self, uri: str) -> None:
        self.provider.redirect_uris.append(uri)

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
