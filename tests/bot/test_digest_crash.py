"""The digest exactly once through a crash: `mm digest send` killed (SIGKILL) after claiming a
digest but before Slack has it, and killed after Slack has it but before the outbox records
it; run again, every channel has exactly one digest of the day. The second run finds the
claim of a process that is gone, and looks in the channel's history before posting again
(transports.outbox), as the outbox does for every chat message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from domain.delivery import OutboxState
from storage.models import ChatOutbox

COORDINATOR_CHANNEL, OSBY_CHANNEL = "C0SAMORD1", "C0123OSBY"
MM = str(Path(sys.executable).parent / "mm")


def _env(chat) -> dict[str, str]:
    url = chat.world.sessions.kw["bind"].url.render_as_string(hide_password=False)
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": chat.runtime.settings.api_url,
        "SITE_URL": "https://mm.example",
        "SLACK_DIGEST_CHANNEL": COORDINATOR_CHANNEL,
    }


def _send(chat) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [MM, "digest", "send", "--date", "2026-11-23"],
        env=_env(chat),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.05)


def _sending(chat) -> bool:
    rows = chat.world.read(
        lambda s: list(s.scalars(select(ChatOutbox.state).where(ChatOutbox.key.like("digest:%"))))
    )
    return OutboxState.SENDING in rows


def _digests_in(chat, channel: str) -> int:
    return sum(
        1
        for m in chat.slack.messages_in(channel)
        if (m.get("metadata") or {}).get("event_payload", {}).get("key", "").startswith("digest:")
    )


@pytest.mark.parametrize("moment", ["after the claim", "after Slack has it"])
def test_a_digest_killed_mid_send_is_sent_once_when_run_again(chat, moment):
    chat.set_channel("Osby", OSBY_CHANNEL)
    if moment == "after the claim":
        chat.slack.slow_down("chat.postMessage", 600)  # claimed, the post on its way
    else:
        chat.slack.stall_after_storing("chat.postMessage", 600)  # Slack has it, no answer
    first = _send(chat)
    try:
        if moment == "after the claim":
            _wait_for(lambda: _sending(chat), "a digest claimed")
        else:
            _wait_for(
                lambda: _digests_in(chat, COORDINATOR_CHANNEL) + _digests_in(chat, OSBY_CHANNEL),
                "a digest in Slack",
            )
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    chat.slack._delays.clear()
    chat.slack._stalls.clear()
    again = _send(chat)
    out, err = again.communicate(timeout=300)
    assert "Traceback" not in out + err
    assert again.returncode == 0, out + err
    assert _digests_in(chat, COORDINATOR_CHANNEL) == 1
    assert _digests_in(chat, OSBY_CHANNEL) == 1
