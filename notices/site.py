"""The web site as the notices link to it: chat and e-mail carry links, never the personal
data behind them. The Slack settings (transports.slack.settings.ChatSettings) are one; the
notices name only what they use, so that they need no transport."""

from __future__ import annotations

from typing import Protocol


class Site(Protocol):
    @property
    def site_url(self) -> str: ...

    def referral_url(self, reference_code: str) -> str: ...
