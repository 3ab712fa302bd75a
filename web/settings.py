"""Configuration of the web site: defaults, environment variables, and the secret key.

SECRET_KEY comes from the environment; when it is unset, a key is generated once and kept
in instance/secret_key, so that every gunicorn worker (and every restart) signs cookies with
the same key. MM_HTTPS=1 marks cookies Secure and sends HSTS; MM_BEHIND_PROXY=1 trusts one
proxy's X-Forwarded-For/-Proto headers.
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


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


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
    path.parent.mkdir(parents=True, exist_ok=True)
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
