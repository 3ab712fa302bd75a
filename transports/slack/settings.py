"""What Slack needs to know, from the Flask config or the environment: the Slack app, and the
web site's address that chat links to (when and where the daily digest goes is
digest.settings).

HTTP mode needs SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and SLACK_TEAM_ID (the workspace whose
requests are taken; any other is refused); Socket Mode needs SLACK_APP_TOKEN and
SLACK_BOT_TOKEN. Without a bot token chat is off and the web site runs alone. The bot's
identity comes from these settings, so no request waits for Slack's auth.test; the token is
checked against Slack in the background (bot.identity).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# How often waiting chat messages are retried, by every process that sweeps the outbox.
OUTBOX_SWEEP_SECONDS = 30
DEFAULT_COMMAND = "/mm"
DEFAULT_SITE_URL = "http://127.0.0.1:8000"
KEYS = (
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_COMMAND",
    "SLACK_API_URL",
    "SLACK_TEAM_ID",
    "SLACK_BOT_USER_ID",
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
    team_id: str = ""  # the workspace (T…): requests from any other are refused
    bot_user_id: str = ""  # optional: learnt from auth.test in the background when unset

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
            team_id=value("SLACK_TEAM_ID").upper(),
            bot_user_id=value("SLACK_BOT_USER_ID").upper(),
        )

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token)

    @property
    def http(self) -> bool:
        """Slack posts to /slack/events of the web site."""
        return self.enabled and bool(self.signing_secret) and bool(self.team_id)

    @property
    def socket_mode(self) -> bool:
        """A separate process (`mm chat socket`) holds a WebSocket to Slack."""
        return self.enabled and bool(self.app_token)

    def off_reason(self) -> str:
        """One log line saying why chat is off (English: it is for the operator's log)."""
        if self.signing_secret or self.app_token:
            if not self.bot_token:
                return "Chat is off: SLACK_BOT_TOKEN is not set."
            return "Chat over HTTP is off: SLACK_TEAM_ID is not set (the workspace id, T…)."
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
