"""A Message (notices.message) as Slack's Block Kit: the blocks of transports.slack.blocks,
within Slack's limits (transports.slack.blocks.fit_message cuts what is too long when it is
sent)."""

from __future__ import annotations

from notices.message import Actions, Divider, Fields, Heading, Message, Note, Part, Text
from transports.slack import blocks
from transports.slack.blocks import Block, Reply


def block_of(part: Part) -> list[Block]:
    if isinstance(part, Heading):
        return [blocks.header(part.text)]
    if isinstance(part, Text):
        return [blocks.section(part.text, block_id=part.reference)]
    if isinstance(part, Fields):
        return blocks.fields(part.pairs)
    if isinstance(part, Note):
        return [blocks.context(*part.texts)]
    if isinstance(part, Divider):
        return [blocks.divider()]
    if isinstance(part, Actions):
        buttons = [blocks.button(a.label, a.action_id, a.value, a.style) for a in part.actions]
        return [blocks.actions(*buttons, block_id=part.reference)]
    raise TypeError(f"not a message part: {part!r}")


def blocks_of(parts: list[Part]) -> list[Block]:
    return [block for part in parts for block in block_of(part)]


def slack_reply(message: Message) -> Reply:
    return Reply(blocks=blocks_of(message.parts), text=message.text, shared=message.shared)
