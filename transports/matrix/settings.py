"""What the Matrix bot needs: its homeserver, its account, and the coordinator's room.

MATRIX_HOMESERVER     the homeserver's address, e.g. https://matrix.example.se
MATRIX_USER_ID        the bot's account, e.g. @mojlighetsmodellen:matrix.example.se
MATRIX_ACCESS_TOKEN   its access token (or MATRIX_PASSWORD, to log in and get one)
MATRIX_DIGEST_ROOM    the coordinator's room for the daily digest (!room:server)

Each municipality's room is set with `mm municipality room Osby '!abc:server'`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

COMMAND = "!mm"


@dataclass(frozen=True)
class MatrixSettings:
    homeserver: str = ""
    user_id: str = ""
    access_token: str = ""
    password: str = ""
    digest_room: str = ""
    command: str = COMMAND

    @classmethod
    def load(
        cls, config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> MatrixSettings:
        config = config or {}
        environ = os.environ if environ is None else environ

        def value(key: str) -> str:
            found = config[key] if key in config else environ.get(key, "")
            return str(found or "").strip()

        return cls(
            homeserver=value("MATRIX_HOMESERVER").rstrip("/"),
            user_id=value("MATRIX_USER_ID"),
            access_token=value("MATRIX_ACCESS_TOKEN"),
            password=value("MATRIX_PASSWORD"),
            digest_room=value("MATRIX_DIGEST_ROOM"),
        )

    @property
    def enabled(self) -> bool:
        return bool(self.homeserver and self.user_id and (self.access_token or self.password))
