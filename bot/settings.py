"""What the bot needs to know about its Slack app, from the Flask config or the environment.

HTTP mode needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN; Socket Mode needs SLACK_APP_TOKEN
and SLACK_BOT_TOKEN. Without a bot token chat is off and the web site runs alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_COMMAND = "/mm"
DEFAULT_SITE_URL = "http://localhost:8000"
KEYS = (
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_COMMAND",
    "SLACK_API_URL",
    "SITE_URL",
)


@dataclass(frozen=True)
class ChatSettings:
    signing_secret: str = ""
    bot_token: str = ""
    app_token: str = ""
    command: str = DEFAULT_COMMAND
    api_url: str = ""
    site_url: str = DEFAULT_SITE_URL

    @classmethod
    def load(
        cls, config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> ChatSettings:
        """A key in `config` (the Flask config) wins over the same name in the environment."""
        config = config or {}
        environ = os.environ if environ is None else environ

        def value(key: str) -> str:
            found = config[key] if key in config else environ.get(key, "")
            return str(found or "").strip()

        command = value("SLACK_COMMAND") or DEFAULT_COMMAND
        api_url = value("SLACK_API_URL")
        if api_url and not api_url.endswith("/"):
            api_url += "/"
        return cls(
            signing_secret=value("SLACK_SIGNING_SECRET"),
            bot_token=value("SLACK_BOT_TOKEN"),
            app_token=value("SLACK_APP_TOKEN"),
            command=command if command.startswith("/") else "/" + command,
            api_url=api_url,
            site_url=(value("SITE_URL") or DEFAULT_SITE_URL).rstrip("/"),
        )

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token)

    @property
    def http(self) -> bool:
        """Slack posts to /slack/events of the web site."""
        return self.enabled and bool(self.signing_secret)

    @property
    def socket_mode(self) -> bool:
        """A separate process (`mm chat socket`) holds a WebSocket to Slack."""
        return self.enabled and bool(self.app_token)

    def off_reason(self) -> str:
        """One log line saying why chat is off (English: it is for the operator's log)."""
        if self.signing_secret or self.app_token:
            return "Chat is off: SLACK_BOT_TOKEN is not set."
        return (
            "Chat is off: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (HTTP) or "
            "SLACK_APP_TOKEN and SLACK_BOT_TOKEN (Socket Mode) to turn it on."
        )

    # Links into the web site; chat carries links, never the personal data behind them.
    def referral_url(self, reference_code: str) -> str:
        return f"{self.site_url}/anmalningar/{reference_code}"

    def new_referral_url(self) -> str:
        return f"{self.site_url}/anmalan/ny"

    def link_url(self, token: str) -> str:
        return f"{self.site_url}/koppla/{token}"
