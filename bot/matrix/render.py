"""A Message (notices.message) as a Matrix m.notice: an HTML formatted_body and a plain body.

A card's actions become links to the web site (Matrix has no buttons); actions without a web
page (turning a page of `platser`) are left out: the text says what to write instead."""

from __future__ import annotations

from html import escape as html_escape
from typing import Any

from bot import markup
from notices.message import Actions, Divider, Fields, Heading, Message, Note, Part, Text

HTML_FORMAT = "org.matrix.custom.html"


def _html(part: Part, person: markup.Person) -> str:
    if isinstance(part, Heading):
        return f"<h4>{html_escape(part.text, quote=False)}</h4>"
    if isinstance(part, Text):
        return f"<p>{markup.to_html(part.text, person)}</p>"
    if isinstance(part, Fields):
        items = "".join(
            f"<li><strong>{markup.to_html(label, person)}</strong>: "
            f"{markup.to_html(value, person)}</li>"
            for label, value in part.pairs
        )
        return f"<ul>{items}</ul>"
    if isinstance(part, Note):
        return "<p><em>" + " · ".join(markup.to_html(t, person) for t in part.texts) + "</em></p>"
    if isinstance(part, Divider):
        return "<hr>"
    if isinstance(part, Actions):
        links = [
            f'<a href="{html_escape(a.url)}">{html_escape(a.label, quote=False)}</a>'
            for a in part.actions
            if a.url
        ]
        return f"<p>{' · '.join(links)}</p>" if links else ""
    raise TypeError(f"not a message part: {part!r}")


def _plain(part: Part, person: markup.Person) -> str:
    if isinstance(part, Heading):
        return part.text
    if isinstance(part, Text):
        return markup.to_plain(part.text, person)
    if isinstance(part, Fields):
        return "\n".join(
            f"{markup.to_plain(label, person)}: {markup.to_plain(value, person)}"
            for label, value in part.pairs
        )
    if isinstance(part, Note):
        return " · ".join(markup.to_plain(t, person) for t in part.texts)
    if isinstance(part, Divider):
        return "—"
    if isinstance(part, Actions):
        return "\n".join(f"{a.label}: {a.url}" for a in part.actions if a.url)
    raise TypeError(f"not a message part: {part!r}")


def html_of(message: Message, person: markup.Person = markup.a_contact) -> str:
    return "\n".join(filter(None, (_html(p, person) for p in message.parts)))


def plain_of(message: Message, person: markup.Person = markup.a_contact) -> str:
    return "\n".join(filter(None, (_plain(p, person) for p in message.parts)))


def content_of(message: Message, person: markup.Person = markup.a_contact) -> dict[str, Any]:
    """The m.room.message content: a notice (bots answer with notices, which other bots
    leave alone)."""
    return {
        "msgtype": "m.notice",
        "body": plain_of(message, person) or message.text,
        "format": HTML_FORMAT,
        "formatted_body": html_of(message, person),
    }
