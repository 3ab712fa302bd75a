"""A Message (notices.message) as a Matrix m.notice: an HTML formatted_body and a plain body
(transports.markup: links to the web site where Slack has buttons)."""

from __future__ import annotations

from typing import Any

from notices.message import Message
from transports import markup

HTML_FORMAT = "org.matrix.custom.html"


def content_of(message: Message, person: markup.Person = markup.a_contact) -> dict[str, Any]:
    """The m.room.message content: a notice (bots answer with notices, which other bots
    leave alone)."""
    return {
        "msgtype": "m.notice",
        "body": markup.plain_of(message, person) or message.text,
        "format": HTML_FORMAT,
        "formatted_body": markup.html_of(message, person),
    }
