"""The mail server for notices by e-mail.

SMTP_HOST       the server (without it, no e-mail is sent)
SMTP_PORT       587 by default with starttls, 465 with tls, 25 with none
SMTP_SECURITY   starttls (default), tls or none
SMTP_USER, SMTP_PASSWORD   when the server wants a login
MAIL_FROM       the sender, e.g. "Möjlighetsmodellen <noreply@example.se>"
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.errors import DomainError
from domain.text import N_

DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


class MailSettingsError(DomainError):
    """An SMTP setting cannot be used."""


@dataclass(frozen=True)
class MailSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"
    user: str = ""
    password: str = ""
    sender: str = ""

    @classmethod
    def load(
        cls, config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> MailSettings:
        config = config or {}
        environ = os.environ if environ is None else environ

        def value(key: str) -> str:
            found = config[key] if key in config else environ.get(key, "")
            return str(found or "").strip()

        security = (value("SMTP_SECURITY") or "starttls").lower()
        if security not in DEFAULT_PORTS:
            raise MailSettingsError(
                N_("SMTP_SECURITY must be starttls, tls or none, not %(value)s."), value=security
            )
        port = value("SMTP_PORT") or str(DEFAULT_PORTS[security])
        if not port.isdigit():
            raise MailSettingsError(
                N_("SMTP_PORT must be a port number, not %(value)s."), value=port
            )
        return cls(
            host=value("SMTP_HOST"),
            port=int(port),
            security=security,
            user=value("SMTP_USER"),
            password=value("SMTP_PASSWORD"),
            sender=value("MAIL_FROM"),
        )

    @property
    def enabled(self) -> bool:
        return bool(self.host and self.sender)
