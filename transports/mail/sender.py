"""Sending the outbox's e-mails with SMTP (smtplib): one connection per message, STARTTLS,
TLS or none, and a login when SMTP_USER is set.

A 4xx answer means try again later (the outbox does); a 5xx is a refusal, shown to the
administrator. The Message-ID is made from the outbox key, so a mail client shows a message
that was sent twice after a lost connection as one.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from transports.mail.settings import MailSettings

TIMEOUT = 20


class MailSender:
    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "tls":
            return smtplib.SMTP_SSL(
                s.host, s.port, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        server = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
        if s.security == "starttls":
            server.starttls(context=ssl.create_default_context())
        return server

    def message(self, address: str, payload: dict[str, Any], key: str) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.settings.sender
        email["To"] = address
        email["Subject"] = payload["subject"]
        email["Date"] = formatdate(localtime=False)
        domain = self.settings.sender.rsplit("@", 1)[-1].strip(" >") or "localhost"
        email["Message-ID"] = make_msgid(hashlib.sha256(key.encode()).hexdigest()[:32], domain)
        email["List-Unsubscribe"] = f"<{payload['unsubscribe']}>"
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(payload["text"])
        email.add_alternative(payload["html"], subtype="html")
        return email

    def post(self, channel: str, text: str, content: Any, key: str) -> tuple[str, str]:
        email = self.message(channel, dict(content), key)
        with self._connect() as server:
            if self.settings.user:
                server.login(self.settings.user, self.settings.password)
            server.send_message(email)
        return channel, str(email["Message-ID"])

    def update(self, channel: str, ts: str, text: str, content: Any) -> None:
        """An e-mail cannot be changed once sent; updates are not queued for e-mail."""

    def find(self, channel: str, key: str, since: datetime) -> tuple[str, str] | None:
        return None
