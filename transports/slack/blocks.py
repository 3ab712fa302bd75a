"""Block Kit building blocks, kept inside Slack's limits whatever the data size.

Limits (Slack's Block Kit reference): 50 blocks in a message, 100 in a modal; 3 000 characters
of text in a section, 2 000 per field and at most 10 fields; 150 in a header; 75 in a button
or option label; 24 in a modal's title and buttons. Slack also refuses a message whose blocks
hold much more than about 13 000 characters in all (`msg_blocks_too_long`), so a message keeps
to MESSAGE_TEXT_BUDGET and says where the rest is when it has to stop early.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from locales import gettext as _

# The inline markup is the neutral message's (notices.message); Slack's mrkdwn is the same.
from notices.message import MAX_SECTION_TEXT as MAX_SECTION_TEXT
from notices.message import clip as clip
from notices.message import escape as escape
from notices.message import link as link
from notices.message import mention as mention

Block = dict[str, Any]

MAX_MESSAGE_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_OPTION_TEXT = 75
MAX_MODAL_TITLE = 24
MAX_CONTEXT_ELEMENTS = 10
MAX_FALLBACK_TEXT = 3000
MESSAGE_TEXT_BUDGET = 11_000


def mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit)}


def plain(text: str, limit: int = MAX_SECTION_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, MAX_HEADER_TEXT)}


def section(text: str, *, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    return block


def fields(pairs: Iterable[tuple[str, str]]) -> list[Block]:
    """Label–value pairs, two columns, as many sections as it takes (10 fields each)."""
    items = [mrkdwn(f"*{escape(label)}*\n{value}", MAX_FIELD_TEXT) for label, value in pairs]
    return [
        {"type": "section", "fields": items[i : i + MAX_FIELDS]}
        for i in range(0, len(items), MAX_FIELDS)
    ]


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:MAX_CONTEXT_ELEMENTS]]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, MAX_BUTTON_TEXT),
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def paragraphs(lines: Iterable[str], limit: int = MAX_SECTION_TEXT) -> list[Block]:
    """Lines packed into as few sections as fit: a long list stays within 3 000 per section."""
    blocks, current = [], ""
    for line in lines:
        line = clip(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            blocks.append(section(current))
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(section(current))
    return blocks


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def text_size(blocks: list[Block]) -> int:
    return sum(len(t) for t in _texts(blocks))


def fit_message(blocks: list[Block]) -> list[Block]:
    """Blocks for one message: whole blocks up to the limits, then a note that it was cut."""
    note = context(_("The answer was shortened. The web site shows all of it."))
    budget = MESSAGE_TEXT_BUDGET - text_size([note])
    kept: list[Block] = []
    used = 0
    for block in blocks:
        size = text_size([block])
        if len(kept) == MAX_MESSAGE_BLOCKS - 1 or used + size > budget:
            return [*kept, note]
        kept.append(block)
        used += size
    return kept


@dataclass
class Reply:
    """What the bot says: blocks, the plain fallback text, and whether the whole channel sees it."""

    blocks: list[Block]
    text: str
    shared: bool = False

    def message(self) -> dict[str, Any]:
        """Arguments for chat.postMessage / chat.update / a slash command's answer."""
        return {"text": clip(self.text, MAX_FALLBACK_TEXT), "blocks": fit_message(self.blocks)}


def say(text: str, *more: str) -> Reply:
    """A short answer: one sentence, or a few, as sections."""
    return Reply(blocks=[section(t) for t in (text, *more)], text=text)
