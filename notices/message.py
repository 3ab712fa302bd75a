"""What a notice or the bot says, built once and rendered per channel (the transports).

A Message is a list of parts — a heading, text, label–value fields, a note, a divider, and
actions with their reference (the request they answer, the page they turn) and, where the
channel has no buttons, the web page where the same is done — plus a one-line summary and
whether the whole channel may see it. Each transport renders it itself:
transports.slack.blockkit for Slack, transports.matrix.render for Matrix (HTML and a plain
body), transports.mail.render for e-mail (text and HTML).

Text inside the parts uses one small inline markup, the same in every channel: `*bold*`,
`` `code` ``, links `<url|label>`, mentions of a chat user `<@U…>` and `:warning:`; data is
escaped with `escape` (&, < and >). transports.markup turns it into HTML or plain text.

The builders carry the names of the Block Kit blocks they become in Slack, so a message
reads the same as the blocks it used to be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

T = TypeVar("T")

# The longest text part: Slack's 3 000 characters a section, the tightest channel.
MAX_SECTION_TEXT = 3000

__all__ = [
    "Action",
    "Actions",
    "Divider",
    "Fields",
    "Heading",
    "Message",
    "Note",
    "Part",
    "Text",
    "actions",
    "button",
    "context",
    "divider",
    "escape",
    "fields",
    "header",
    "link",
    "mention",
    "paragraphs",
    "say",
    "section",
]


def clip(text: str, limit: int) -> str:
    """At most `limit` characters; a cut is marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """Data put into the markup: &, < and > would otherwise start links and mentions."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    return f"<{url}|{escape(label).replace('|', '¦')}>"


def mention(slack_user_id: str) -> str:
    return f"<@{slack_user_id}>"


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Text:
    text: str
    reference: str | None = None  # what this part is about (Slack: its block id)


@dataclass(frozen=True)
class Fields:
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Note:
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Divider:
    pass


@dataclass(frozen=True)
class Action:
    label: str
    action_id: str  # what the bot does when it is chosen in a channel with buttons
    value: str  # the reference it acts on (a request id, a page)
    style: str | None = None
    url: str | None = None  # the web page that does the same, for channels without buttons


@dataclass(frozen=True)
class Actions:
    actions: tuple[Action, ...]
    reference: str | None = None


Part = Heading | Text | Fields | Note | Divider | Actions


@dataclass
class Message:
    parts: list[Part]
    text: str  # the summary: notifications, fallbacks, subjects
    shared: bool = False  # everyone in the channel may see it
    # The kept answer this message was made from (KeptMessage.message): while the message
    # still says the same, what a transport makes of it is worked out once for all readers.
    source: KeptMessage | None = field(default=None, compare=False, repr=False)

    def kept(self) -> KeptMessage:
        """The message as a value that may be shared between threads (services.kept_answers)."""
        return KeptMessage(tuple(self.parts), self.text, self.shared)

    def rendered(self, transport: str, render: Callable[[Message], T]) -> T:
        """`render(self)`: kept with the answer it was made from and given to every reader
        of that answer, unless a caller has changed the message since (added a part, shared
        it otherwise). The value may be shared, so it must not be changed."""
        source = self.source
        same = (
            source is not None
            and self.text == source.text
            and self.shared == source.shared
            and len(self.parts) == len(source.parts)
            and all(mine is kept for mine, kept in zip(self.parts, source.parts, strict=True))
        )
        if source is None or not same:
            return render(self)
        held = source.renderings.get(transport)
        if held is None:
            # Two threads at once may both work it out: the same value, written twice.
            held = source.renderings[transport] = render(self)
        return cast(T, held)


@dataclass(frozen=True)
class KeptMessage:
    parts: tuple[Part, ...]
    text: str
    shared: bool
    # What each transport made of it (Message.rendered). Derived from the fields above, so
    # it takes no part in comparing or hashing.
    renderings: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def message(self) -> Message:
        """A message of its own for each reader: a caller may add to its parts."""
        return Message(list(self.parts), self.text, self.shared, source=self)


def header(text: str) -> Heading:
    return Heading(text)


def section(text: str, *, block_id: str | None = None) -> Text:
    return Text(text, block_id)


def fields(pairs: Iterable[tuple[str, str]]) -> list[Part]:
    return [Fields(tuple(pairs))]


def context(*texts: str) -> Note:
    return Note(tuple(texts))


def divider() -> Divider:
    return Divider()


def button(
    text: str, action_id: str, value: str, style: str | None = None, url: str | None = None
) -> Action:
    return Action(text, action_id, value, style, url)


def actions(*elements: Action, block_id: str | None = None) -> Actions:
    return Actions(tuple(elements), block_id)


def paragraphs(lines: Iterable[str], limit: int = MAX_SECTION_TEXT) -> list[Part]:
    """Lines packed into as few text parts as fit Slack's 3 000 characters a section."""
    parts: list[Part] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            parts.append(Text(current))
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        parts.append(Text(current))
    return parts


def say(text: str, *more: str) -> Message:
    """A short answer: one sentence, or a few."""
    return Message(parts=[Text(t) for t in (text, *more)], text=text)
