"""Response headers: a strict Content-Security-Policy (no inline script or style, nothing
from other hosts), no framing, no sniffing, no caching of pages that may hold personal data."""

from __future__ import annotations

from flask import Flask, Response, request

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


def install(app: Flask) -> None:
    if app.config.get("MM_BEHIND_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]

    fixed = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # Our own address to our own pages only: over HTTPS Flask-WTF refuses a form whose
        # Referer is missing (no-referrer made every POST behind the proxy a CSRF error);
        # other sites never learn an address here, which may hold a reference code.
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if app.config.get("MM_HTTPS"):
        fixed.append(("Strict-Transport-Security", "max-age=31536000"))

    @app.after_request
    def secure_headers(response: Response) -> Response:
        headers = response.headers
        # Each header unless the view set its own. Looked up once: werkzeug answers a
        # missing name by raising and catching an exception, six of them on every response.
        present = {name.lower() for name, _value in headers.items()}
        for name, value in fixed:
            if name.lower() not in present:
                headers.add(name, value)
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        return response
