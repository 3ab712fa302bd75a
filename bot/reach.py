"""Getting an answer to one person when Slack did not take it the first way.

An interaction's answer is never dropped silently: when a modal cannot be opened, a private
message cannot be shown or a direct message cannot be posted, the person is told by the way
still open — privately through the interaction's response_url (valid for 30 minutes), or
else by a direct message through the outbox, which keeps trying (at Retry-After when Slack
asks to wait) until it is delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from locales import format_datetime
from locales import gettext as _
from notices.message import Message, context
from storage.db import unit_of_work
from transports import outbox
from transports.slack.blockkit import slack_reply

log = logging.getLogger("mm.chat")

Respond = Callable[..., Any]


def by_response_url(respond: Respond | None, reply: Message) -> bool:
    """Shown privately through the response_url; False when that did not work."""
    if respond is None:
        return False
    try:
        answer = respond(
            replace_original=False, response_type="ephemeral", **slack_reply(reply).message()
        )
    except Exception as error:
        log.warning("could not answer through response_url (%s)", type(error).__name__)
        return False
    status = getattr(answer, "status_code", 200)
    if status != 200:
        log.warning("Slack refused an answer through response_url (HTTP %s)", status)
        return False
    return True


def later_by_direct_message(runtime: Any, *, user: str, reply: Message, key: str) -> bool:
    """Queues the answer as a direct message (once per key); the outbox delivers it."""
    asked_at = format_datetime(runtime.clock.now())
    note = _(
        "Slack could not show you this answer when you asked at %(time)s, so here it is.",
        time=asked_at,
    )
    late = Message(parts=[context(note), *reply.parts], text=reply.text)
    try:
        with unit_of_work(runtime.sessions) as session:
            outbox.enqueue(
                session, key=f"late:{key}"[:200], channel=user, reply=late, now=runtime.clock.now()
            )
    except Exception:
        log.exception("could not queue an answer for %s", user)
        return False
    return True


def tell(
    runtime: Any, *, user: str, reply: Message, key: str, respond: Respond | None = None
) -> None:
    """Privately through the response_url when there is one; else a direct message later."""
    if not by_response_url(respond, reply):
        later_by_direct_message(runtime, user=user, reply=reply, key=key)
