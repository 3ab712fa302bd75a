"""Who the bot is in Slack, without asking Slack on the request path.

Bolt normally calls auth.test before the first request of every worker is handled, so a slow
or unreachable Slack makes acknowledgements late, or turns them into HTTP 500. Here the
authorization comes from the settings (the bot token, SLACK_TEAM_ID, SLACK_BOT_USER_ID) and
auth.test runs once in the background, when the first request is let in: it fills in the
bot's user id when it was not set, and says in the log when the token or the workspace is
wrong.
"""

from __future__ import annotations

import logging
import threading

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from transports.slack.settings import ChatSettings

log = logging.getLogger("mm.chat")


class Identity:
    def __init__(self, settings: ChatSettings) -> None:
        self.settings = settings
        self.team_id = settings.team_id
        self.bot_user_id = settings.bot_user_id or None
        self.bot_id: str | None = None
        self.problem: str | None = None  # English, for the operator's log
        self.verified = threading.Event()
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None

    def authorize(
        self, enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult | None:
        """Bolt's authorize function: the static authorization for the configured workspace
        (any workspace in Socket Mode when none is configured)."""
        if self.team_id and team_id and team_id != self.team_id:
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=self.team_id or team_id,
            bot_token=self.settings.bot_token,
            bot_user_id=self.bot_user_id,
            bot_id=self.bot_id,
            user_id=user_id,
        )

    def verify(self, client: WebClient) -> None:
        """auth.test, once; never raises."""
        try:
            found = client.auth_test()
        except SlackApiError as error:
            self.problem = f"Slack does not accept SLACK_BOT_TOKEN: {error.response.get('error')}"
            log.error(self.problem)
        except Exception as error:  # Slack unreachable: the bot works; sends will retry
            self.problem = f"Slack could not be reached to check the bot token ({error!r})"
            log.warning(self.problem)
        else:
            self.bot_user_id = self.bot_user_id or found.get("user_id")
            self.bot_id = found.get("bot_id")
            team = found.get("team_id")
            if self.team_id and team and team != self.team_id:
                self.problem = (
                    f"SLACK_BOT_TOKEN belongs to workspace {team}, not SLACK_TEAM_ID "
                    f"{self.team_id}: requests are taken from {self.team_id} only"
                )
                log.error(self.problem)
        finally:
            self.verified.set()

    def verify_in_background(self, client: WebClient) -> None:
        """Starts auth.test once per process (with the first request let in)."""
        with self._started:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self.verify, args=(client,), name="mm-chat-auth-test", daemon=True
            )
        self._thread.start()
