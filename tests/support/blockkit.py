"""Block Kit's limits, checked independently of the bot's own code (Slack's reference:
blocks, block elements, composition objects, views). A payload that breaks one is refused
by Slack; here it becomes a list of problems."""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCKS, MODAL_BLOCKS = 50, 100
# Slack refuses a message whose blocks hold much more than this (msg_blocks_too_long).
MESSAGE_BLOCK_TEXT = 12_000
KNOWN = {"section", "header", "context", "divider", "actions", "input", "image", "rich_text"}


def _text_problems(obj: Any, limit: int, where: str) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"{where}: not a text object"]
    text = obj.get("text", "")
    if not text:
        return [f"{where}: empty text"]
    if len(text) > limit:
        return [f"{where}: {len(text)} characters, limit {limit}"]
    return []


def _element_problems(element: dict[str, Any], where: str) -> list[str]:
    found = []
    if len(element.get("action_id", "")) > 255:
        found.append(f"{where}: action_id too long")
    kind = element.get("type")
    if kind == "button":
        found += _text_problems(element.get("text"), 75, f"{where} button")
        if element.get("text", {}).get("type") != "plain_text":
            found.append(f"{where}: button text must be plain_text")
        if len(element.get("value", "")) > 2000:
            found.append(f"{where}: button value too long")
    if "placeholder" in element:
        found += _text_problems(element["placeholder"], 150, f"{where} placeholder")
    options = element.get("options", [])
    if len(options) > 100:
        found.append(f"{where}: {len(options)} options, limit 100")
    for option in options:
        found += _text_problems(option.get("text"), 75, f"{where} option")
        if len(option.get("value", "")) > 150:
            found.append(f"{where}: option value too long")
    if kind == "plain_text_input" and element.get("max_length", 0) > 3000:
        found.append(f"{where}: max_length above 3000")
    return found


def _block_problems(block: dict[str, Any], where: str) -> list[str]:
    kind = block.get("type")
    found = [] if kind in KNOWN else [f"{where}: unknown block type {kind!r}"]
    if len(block.get("block_id", "")) > 255:
        found.append(f"{where}: block_id too long")
    if kind == "section":
        if "text" not in block and "fields" not in block:
            found.append(f"{where}: section without text or fields")
        if "text" in block:
            found += _text_problems(block["text"], 3000, f"{where} text")
        items = block.get("fields", [])
        if len(items) > 10:
            found.append(f"{where}: {len(items)} fields, limit 10")
        for item in items:
            found += _text_problems(item, 2000, f"{where} field")
    elif kind == "header":
        found += _text_problems(block.get("text"), 150, f"{where} header")
    elif kind == "context":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= 10:
            found.append(f"{where}: {len(elements)} context elements")
        for element in elements:
            found += _text_problems(element, 3000, f"{where} context")
    elif kind == "actions":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= 25:
            found.append(f"{where}: {len(elements)} action elements")
        for element in elements:
            found += _element_problems(element, where)
    elif kind == "input":
        found += _text_problems(block.get("label"), 2000, f"{where} label")
        if "hint" in block:
            found += _text_problems(block["hint"], 2000, f"{where} hint")
        found += _element_problems(block.get("element", {}), where)
    return found


def _all_text(value: Any) -> int:
    if isinstance(value, dict):
        return sum(
            len(v) if k == "text" and isinstance(v, str) else _all_text(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return sum(_all_text(v) for v in value)
    return 0


def problems_in_blocks(blocks: list[dict[str, Any]], *, modal: bool = False) -> list[str]:
    limit = MODAL_BLOCKS if modal else MESSAGE_BLOCKS
    found = [] if len(blocks) <= limit else [f"{len(blocks)} blocks, limit {limit}"]
    for number, block in enumerate(blocks):
        found += _block_problems(block, f"block {number}")
    if not modal and _all_text(blocks) > MESSAGE_BLOCK_TEXT:
        found.append(f"msg_blocks_too_long: {_all_text(blocks)} characters of text")
    return found


def problems_in_view(view: dict[str, Any]) -> list[str]:
    """A modal, or a Home tab (type home: no title or buttons of its own, 100 blocks)."""
    if view.get("type") == "home":
        found = [f"home view: {key} not allowed" for key in ("title", "submit") if key in view]
        if len(view.get("private_metadata", "")) > 3000:
            found.append("private_metadata too long")
        return found + problems_in_blocks(view.get("blocks", []), modal=True)
    if view.get("type") != "modal":
        return [f"unknown view type {view.get('type')!r}"]
    found = _text_problems(view.get("title"), 24, "title")
    for key in ("submit", "close"):
        if key in view:
            found += _text_problems(view[key], 24, key)
    if len(view.get("private_metadata", "")) > 3000:
        found.append("private_metadata too long")
    if len(view.get("callback_id", "")) > 255:
        found.append("callback_id too long")
    return found + problems_in_blocks(view.get("blocks", []), modal=True)


def problems_in_payload(method: str, body: dict[str, Any]) -> list[str]:
    """What Slack would refuse in a Web API call, a response_url post or an acknowledgement."""
    found = []
    if isinstance(body.get("blocks"), list):
        found += problems_in_blocks(body["blocks"])
    if isinstance(body.get("view"), dict):
        found += problems_in_view(body["view"])
    if len(body.get("text") or "") > 40_000:
        found.append("text above 40 000 characters")
    if "blocks" in body and not body.get("text") and method != "views.open":
        found.append("no fallback text next to the blocks")
    return found
