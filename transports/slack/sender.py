"""Posting the outbox's messages with the Web API, paced within Slack's limits.

chat.postMessage allows about one message per second in a channel, with a workspace-wide
limit on top (Slack's rate-limit reference, "Special" tier). The Pacer keeps this process to
one post a second per channel and one every GLOBAL_INTERVAL in all, so the digest to 290
channels goes out in about a minute instead of meeting HTTP 429 half-way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from transports.outbox import METADATA_TYPE

PER_CHANNEL_INTERVAL = 1.0
GLOBAL_INTERVAL = 0.2
HISTORY_PAGES = 10  # 2 000 messages back: far more than a channel gets in minutes


class Pacer:
    """Spaces the posts of this process: per channel and in all."""

    def __init__(
        self,
        per_channel: float = PER_CHANNEL_INTERVAL,
        overall: float = GLOBAL_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_channel, self.overall = per_channel, overall
        self.clock, self.sleep = clock, sleep
        self._lock = threading.Lock()
        self._next_any = 0.0
        self._next_in: dict[str, float] = {}

    def wait_turn(self, channel: str) -> float:
        """Blocks until this channel may be posted to; returns the moment of the post."""
        with self._lock:  # book the slot, then sleep outside the lock
            now = self.clock()
            slot = max(now, self._next_any, self._next_in.get(channel, 0.0))
            self._next_any = slot + self.overall
            self._next_in[channel] = slot + self.per_channel
        if slot > now:
            self.sleep(slot - now)
        return slot


class SlackSender:
    """The outbox's Sender for Slack; returns where Slack put a message."""

    def __init__(self, client: WebClient, pacer: Pacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or Pacer()

    def post(self, channel: str, text: str, blocks: list[Any], key: str) -> tuple[str, str]:
        self.pacer.wait_turn(channel)
        response = self.client.chat_postMessage(
            channel=channel,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
            metadata={"event_type": METADATA_TYPE, "event_payload": {"key": key}},
        )
        return response["channel"], response["ts"]

    def update(self, channel: str, ts: str, text: str, blocks: list[Any]) -> None:
        self.pacer.wait_turn(channel)
        self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    def _conversation(self, channel: str) -> str:
        """A direct message is posted to a user id; its history is the IM channel's."""
        if channel.startswith(("U", "W")):
            opened = self.client.conversations_open(users=channel)
            return str(opened["channel"]["id"])
        return channel

    def find(self, channel: str, key: str, since: datetime) -> tuple[str, str] | None:
        conversation = self._conversation(channel)
        cursor = None
        for _page in range(HISTORY_PAGES):
            page = self.client.conversations_history(
                channel=conversation,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
            for message in page.get("messages") or []:
                metadata = message.get("metadata") or {}
                if (
                    metadata.get("event_type") == METADATA_TYPE
                    and (metadata.get("event_payload") or {}).get("key") == key
                ):
                    return conversation, str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return None
        raise SlackApiError("history too long to search", {"error": "history_too_long"})
