"""Configuration of the web site: defaults, environment variables, and the secret key.

SECRET_KEY comes from the environment; when it is unset, a key is generated once and kept
in instance/secret_key, so that every gunicorn worker (and every restart) signs cookies with
the same key. MM_HTTPS=1 marks cookies Secure and sends HSTS; MM_BEHIND_PROXY=1 trusts one
proxy's X-Forwarded-For/-Proto headers.

Login: sessions end after MM_SESSION_IDLE_MINUTES without a request (30) and MM_SESSION_HOURS
after the login (8); MM_SECOND_FACTOR_FOR_ALL (on) asks the association and the administrator
for a second factor too; OIDC_* connect the organisation's identity provider (OIDC_SECOND_FACTOR
says whether the site's own code may stand in for a strong `acr`), and MM_PASSWORD_LOGIN=0 then
switches local passwords off.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from domain.clock import SystemClock
from locales import LOCALES_DIR
from storage.db import database_url

MAX_REQUEST_BYTES = 256 * 1024
SESSION_HOURS = 8
SESSION_IDLE_MINUTES = 30


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in {"1", "true", "yes", "on"}


def env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "").strip() or default)
    except ValueError:
        return default
    return value if value > 0 else default


def env_list(name: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


def defaults() -> dict[str, Any]:
    https = env_flag("MM_HTTPS")
    return {
        "DATABASE_URL": database_url(),
        "CLOCK": SystemClock(),
        "SECRET_KEY": os.environ.get("SECRET_KEY", "").strip() or None,
        "MM_HTTPS": https,
        "MM_BEHIND_PROXY": env_flag("MM_BEHIND_PROXY"),
        "SESSION_COOKIE_NAME": "mm_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=SESSION_HOURS),
        "MM_SESSION_IDLE": timedelta(minutes=env_number("MM_SESSION_IDLE_MINUTES", 30)),
        "MM_SESSION_LIFETIME": timedelta(hours=env_number("MM_SESSION_HOURS", SESSION_HOURS)),
        "MM_SECOND_FACTOR_FOR_ALL": env_flag("MM_SECOND_FACTOR_FOR_ALL", default=True),
        "MM_PASSWORD_LOGIN": env_flag("MM_PASSWORD_LOGIN", default=True),
        # 1: a coordinator gives a short reason before opening the personal data of a referral
        # they have not acted on (written to the audit log with the view).
        "MM_ASK_REASON": env_flag("MM_ASK_REASON", default=False),
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", "").strip().rstrip("/") or None,
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", "").strip() or None,
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET", "").strip() or None,
        "OIDC_IDENTITY_CLAIM": os.environ.get("OIDC_IDENTITY_CLAIM", "").strip() or "email",
        "OIDC_SCOPE": os.environ.get("OIDC_SCOPE", "").strip() or "openid email profile",
        "OIDC_PROVIDER_NAME": os.environ.get("OIDC_PROVIDER_NAME", "").strip() or None,
        "OIDC_ACR_VALUES": env_list("OIDC_ACR_VALUES"),
        # Who vouches for the second factor of the roles that need one: "site" (the default:
        # the site's own code after the provider's login, unless the provider's `acr` is one
        # of OIDC_ACR_VALUES) or "provider" (only such an `acr`; a weaker login is refused).
        "OIDC_SECOND_FACTOR": "provider"
        if os.environ.get("OIDC_SECOND_FACTOR", "").strip().lower() == "provider"
        else "site",
        "MAX_CONTENT_LENGTH": MAX_REQUEST_BYTES,
        "WTF_CSRF_TIME_LIMIT": SESSION_HOURS * 3600,
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "BABEL_TRANSLATION_DIRECTORIES": str(LOCALES_DIR),
    }


def instance_secret_key(instance_path: str) -> str:
    """The key in instance/secret_key, created once; of two workers racing, one key wins."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    candidate = path.with_name(f"secret_key.{os.getpid()}.{secrets.token_hex(4)}")
    candidate.write_text(secrets.token_urlsafe(48), encoding="ascii")
    candidate.chmod(0o600)
    try:
        os.link(candidate, path)  # fails if another worker made the key first
    except FileExistsError:
        pass
    finally:
        candidate.unlink()
    return path.read_text(encoding="ascii").strip()
