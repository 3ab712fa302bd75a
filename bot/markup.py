"""The messages' inline markup (notices.message) as HTML, for Matrix and e-mail, and as plain
text. Data in the markup is already escaped (&, <, >), which is what HTML needs too.

A mention of a Slack user means nothing in another channel: `person` says who it was there
(by default, "a contact"), never by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.text import mrkdwn_to_plain
from locales import gettext as _

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
