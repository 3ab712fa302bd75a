"""One-time tokens (invitation links, chat links, web sessions): one size, one hash. Only
the hash is stored, so a copy of the database opens nothing."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str | None) -> str:
    """The stored form of a token; a missing token hashes like the empty one (and matches
    no row, as no token is empty)."""
    return hashlib.sha256((token or "").encode()).hexdigest()
