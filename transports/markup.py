"""A neutral message (notices.message) as HTML and as plain text, for the transports that
speak them (Matrix: transports.matrix.render; e-mail: transports.mail.render), part by part,
with its inline markup. Data in the markup is already escaped (&, <, >), which is what HTML
needs too. A card's actions become links to the web site (neither has buttons); actions
without a web page (turning a page of `platser`) are left out: the text says what to write instead.

A mention of a Slack user means nothing in another channel: `person` says who it was there
(by default, "a contact"), never by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape as html_escape

from locales import gettext as _
from notices.message import Actions, Divider, Fields, Heading, Message, Note, Part, Text
from transports.slack.text import mrkdwn_to_plain

_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")
_BARE = re.compile(r"<((?:https?|mailto):[^<>|]+)>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_BOLD = re.compile(r"\*(\S(?:[^*\n]*\S)?)\*")
_CODE = re.compile(r"`([^`\n]+)`")
EMOJI = {":warning:": "⚠️"}

Person = Callable[[str], str]


def a_contact(_user: str) -> str:
    return _("a contact")


def _attribute(url: str) -> str:
    return url.replace("&amp;", "&").replace("&", "&amp;").replace('"', "&quot;")


def _emoji(text: str) -> str:
    for name, sign in EMOJI.items():
        text = text.replace(name, sign)
    return text


def to_html(text: str, person: Person = a_contact) -> str:
    text = _USER.sub(lambda m: person(m.group(1)), text)
    text = _LINK.sub(lambda m: f'<a href="{_attribute(m.group(1))}">{m.group(2)}</a>', text)
    text = _BARE.sub(lambda m: f'<a href="{_attribute(m.group(1))}">{m.group(1)}</a>', text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _CODE.sub(r"<code>\1</code>", text)
    return _emoji(text).replace("\n", "<br>\n")


def to_plain(text: str, person: Person = a_contact) -> str:
    text = _USER.sub(lambda m: person(m.group(1)), text)
    return _emoji(mrkdwn_to_plain(text))


def _html(part: Part, person: Person) -> str:
    if isinstance(part, Heading):
        return f"<h4>{html_escape(part.text, quote=False)}</h4>"
    if isinstance(part, Text):
        return f"<p>{to_html(part.text, person)}</p>"
    if isinstance(part, Fields):
        items = "".join(
            f"<li><strong>{to_html(label, person)}</strong>: {to_html(value, person)}</li>"
            for label, value in part.pairs
        )
        return f"<ul>{items}</ul>"
    if isinstance(part, Note):
        return "<p><em>" + " · ".join(to_html(t, person) for t in part.texts) + "</em></p>"
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


def _plain(part: Part, person: Person) -> str:
    if isinstance(part, Heading):
        return part.text
    if isinstance(part, Text):
        return to_plain(part.text, person)
    if isinstance(part, Fields):
        return "\n".join(
            f"{to_plain(label, person)}: {to_plain(value, person)}" for label, value in part.pairs
        )
    if isinstance(part, Note):
        return " · ".join(to_plain(t, person) for t in part.texts)
    if isinstance(part, Divider):
        return "—"
    if isinstance(part, Actions):
        return "\n".join(f"{a.label}: {a.url}" for a in part.actions if a.url)
    raise TypeError(f"not a message part: {part!r}")


def html_of(message: Message, person: Person = a_contact) -> str:
    return "\n".join(filter(None, (_html(p, person) for p in message.parts)))


def plain_of(message: Message, person: Person = a_contact) -> str:
    return "\n".join(filter(None, (_plain(p, person) for p in message.parts)))
