"""What the bot needs to know, from the Flask config or the environment: its Slack app, and
when and where the daily digest goes.

HTTP mode needs SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and SLACK_TEAM_ID (the workspace whose
requests are taken; any other is refused); Socket Mode needs SLACK_APP_TOKEN and
SLACK_BOT_TOKEN. Without a bot token chat is off and the web site runs alone. The bot's
identity comes from these settings, so no request waits for Slack's auth.test; the token is
checked against Slack in the background (bot.identity).

SLACK_DIGEST_CHANNEL   the coordinator's channel (municipalities use their own channels)
DIGEST_TIME            07:30 by default, Europe/Stockholm
DIGEST_DAYS            mon-fri by default (cron day-of-week); Swedish public holidays are
                       always skipped
DIGEST_OVERDUE_AFTER   a request is late after this many working days
DIGEST_MEETINGS_WITHIN tripartite meetings this many working days ahead
(the defaults of the last two are domain.deadlines.DeadlineSettings')
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from domain.clock import STOCKHOLM
from domain.deadlines import DeadlineSettings
from domain.errors import DomainError
from domain.text import N_

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


class ScheduleSettingsError(DomainError):
    """A digest setting in the environment cannot be used."""


@dataclass(frozen=True)
class DigestSchedule:
    channel: str = ""
    matrix_room: str = ""  # MATRIX_DIGEST_ROOM: the coordinator's room
    at: time = time(7, 30)
    days: str = "mon-fri"
    content: DeadlineSettings = field(default_factory=DeadlineSettings)

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> DigestSchedule:
        environ = os.environ if environ is None else environ
        raw_time = environ.get("DIGEST_TIME", "07:30").strip()
        found = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw_time)
        if not found:
            raise ScheduleSettingsError(
                N_("DIGEST_TIME must be a time written HH:MM, not %(value)s."), value=raw_time
            )
        days = environ.get("DIGEST_DAYS", "mon-fri").strip() or "mon-fri"
        try:
            CronTrigger(day_of_week=days, timezone=STOCKHOLM)
        except ValueError:
            raise ScheduleSettingsError(
                N_("DIGEST_DAYS must be weekdays such as mon-fri or mon,wed,fri, not %(value)s."),
                value=days,
            ) from None
        defaults = DeadlineSettings()
        content = DeadlineSettings(
            overdue_after_working_days=_count(
                environ, "DIGEST_OVERDUE_AFTER", defaults.overdue_after_working_days
            ),
            meetings_within_working_days=_count(
                environ, "DIGEST_MEETINGS_WITHIN", defaults.meetings_within_working_days
            ),
        )
        return cls(
            channel=environ.get("SLACK_DIGEST_CHANNEL", "").strip(),
            matrix_room=environ.get("MATRIX_DIGEST_ROOM", "").strip(),
            at=time(int(found.group(1)), int(found.group(2))),
            days=days,
            content=content,
        )

    def trigger(self) -> CronTrigger:
        return CronTrigger(
            day_of_week=self.days, hour=self.at.hour, minute=self.at.minute, timezone=STOCKHOLM
        )


def _count(environ: Mapping[str, str], key: str, default: int) -> int:
    raw = environ.get(key, str(default)).strip()
    if not raw.isdigit():
        raise ScheduleSettingsError(
            N_("%(key)s must be a whole number of working days, not %(value)s."),
            key=key,
            value=raw,
        )
    return int(raw)
