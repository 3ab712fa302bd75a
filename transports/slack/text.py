"""Block Kit as readable plain text, for `mm chat` in a terminal.

Links become `label (url)`, mentions `@U…`, bold is dropped, buttons are shown as `[label]`.
"""

from __future__ import annotations

import re
from typing import Any

from transports.slack.blocks import Block

_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")
_BARE = re.compile(r"<([^<>|@!#]+)>")
_USER = re.compile(r"<@([A-Z0-9]+)>")
_SPECIAL = re.compile(r"<!([a-z]+)>")
_BOLD = re.compile(r"\*(\S(?:[^*\n]*\S)?)\*")


def mrkdwn_to_plain(text: str) -> str:
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _USER.sub(r"@\1", text)
    text = _SPECIAL.sub(r"@\1", text)
    text = _BARE.sub(r"\1", text)
    text = _BOLD.sub(r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn_to_plain(obj.get("text", ""))
    return obj.get("text", "")


def _element(element: dict[str, Any]) -> str:
    label = _text(element.get("text"))
    if element.get("url"):
        return f"[{label}] ({element['url']})"
    return f"[{label}]"


def block_to_plain(block: Block) -> str:
    kind = block.get("type")
    if kind == "header":
        title = _text(block.get("text"))
        return f"{title}\n{'=' * len(title)}"
    if kind == "section":
        parts = []
        if block.get("text"):
            parts.append(_text(block["text"]))
        for item in block.get("fields", []):
            parts.append(_text(item).replace("\n", ": ", 1))
        if block.get("accessory", {}).get("type") == "button":
            parts.append(_element(block["accessory"]))
        return "\n".join(parts)
    if kind == "context":
        return " · ".join(_text(e) for e in block.get("elements", []) if "text" in e)
    if kind == "divider":
        return "-" * 40
    if kind == "actions":
        return " ".join(_element(e) for e in block.get("elements", []) if e.get("text"))
    return ""


def to_plain(blocks: list[Block], fallback: str = "") -> str:
    """The whole message; the fallback text when there are no blocks."""
    lines = [block_to_plain(b) for b in blocks]
    text = "\n".join(line for line in lines if line)
    return text or mrkdwn_to_plain(fallback)
