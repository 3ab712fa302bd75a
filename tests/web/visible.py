"""What a person reads on a page (or in a chat message or e-mail), and whether every word of
it comes from the Swedish catalogue or from the data — never from the code.

A word is a run of letters, underscores kept inside (`submission_key` is one word). The
vocabulary is every word of every Swedish msgstr, Swedish month and day names from the
locale, and every word stored as data: the database's text (names, offers, e-mail
addresses, what people typed) and the program file. Anything else — "Submission Key", a
field's Python name, a class name like SubmissionKeyField, an untranslated msgid — is
reported with the text it stood in."""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Iterable, Iterator
from functools import lru_cache

from babel import Locale
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlalchemy.orm import Session

from locales import LOCALES_DIR
from programs import DEFAULT_PROGRAM_FILE
from storage.models import Base
from web.user_agents import NAMES

WORD = re.compile(r"[^\W\d_]+(?:_[^\W\d_]+)*")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")
# Machine text a person copies rather than reads: keys, codes and commands.
MACHINE = ["script", "style", "code", "kbd", "samp", "textarea"]
ATTRIBUTES = ["aria-label", "title", "placeholder", "alt"]
# Tables whose text is not shown as data: what is checked (the outbox), and the logs and
# sessions whose words are codes (`referral_page`) or a raw User-Agent header.
NOT_DATA = {"chat_outbox", "audit_log", "event", "web_session", "submission", "login_throttle"}
IDENTIFIER = re.compile(r"[a-z0-9_]+")
# Addresses are machine text too (a link's text in chat is its code).
ADDRESS = re.compile(r"https?://[^\s|>)\]]+|mailto:\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+")


def words(text: str) -> list[str]:
    return WORD.findall(text)


@lru_cache(maxsize=1)
def catalogue_words() -> frozenset[str]:
    with open(LOCALES_DIR / "sv" / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalogue = read_po(po)
    found: set[str] = set()
    for message in catalogue:
        for translated in message.string if isinstance(message.string, tuple) else [message.string]:
            found.update(w.lower() for w in words(PLACEHOLDER.sub(" ", translated or "")))
    swedish = Locale.parse("sv_SE")
    for names in (swedish.months, swedish.days):
        for context in names.values():
            for width in context.values():
                found.update(w.lower() for v in width.values() for w in words(v))
    found.add(swedish.currency_symbols.get("SEK", "kr"))
    found.update(name.lower() for name in NAMES)
    return frozenset(found)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, enum.Enum):
        return  # stored codes (`started`) are shown through the catalogue, not as they are
    if isinstance(value, str):
        if not IDENTIFIER.fullmatch(value):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def data_words(session: Session) -> frozenset[str]:
    found: set[str] = set()
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_DATA:
            continue
        for row in session.execute(select(table)):
            for value in row:
                found.update(w.lower() for text in _strings(value) for w in words(text))
    with open(DEFAULT_PROGRAM_FILE, "rb") as program:
        found.update(w.lower() for text in _strings(tomllib.load(program)) for w in words(text))
    return frozenset(found)


def page_texts(html: str) -> list[str]:
    """Every text of a page a person reads: text, the names of buttons, labels given as
    attributes, and the title; not machine text, not what is filled into fields."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(MACHINE):
        tag.decompose()
    texts = [" ".join(s.split()) for s in soup.stripped_strings]
    for tag in soup.find_all(True):
        texts += [tag[a] for a in ATTRIBUTES if tag.has_attr(a)]
        if tag.name == "input" and tag.get("type") in {"submit", "button", "reset"}:
            texts.append(tag.get("value", ""))
    return [t for t in texts if t]


def foreign(texts: Iterable[str], vocabulary: frozenset[str]) -> list[str]:
    """Each text with a word from neither the catalogue nor the data, and those words."""
    found = []
    for text in texts:
        unknown = [w for w in words(ADDRESS.sub(" ", text)) if w.lower() not in vocabulary]
        if unknown:
            found.append(f"{text!r}: {', '.join(unknown)}")
    return found
