"""User-visible sentences that the domain produces but does not translate.

The domain speaks in English msgids with named placeholders; the adapter (web, bot, command
line) translates them with the Swedish catalogue and formats the values the Swedish way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the conventional name for "mark for extraction"
    """Marks a msgid for extraction by pybabel without translating it here."""
    return message


@dataclass(frozen=True)
class Text:
    """An untranslated sentence: the msgid and the values for its named placeholders."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        # English fallback for logs; users see the translation.
        return self.msgid % dict(self.params) if self.params else self.msgid


_PLAIN = str.maketrans("åäöé", "aaoe")


def plain_letters(text: str) -> str:
    """Lower case with å/ä/ö as a/a/o, for matching what people type: `Östra Göinge`,
    `ostra goinge` and `ÖSTRA GÖINGE` are the same name, `anmälan` and `anmalan` one word."""
    return text.casefold().translate(_PLAIN)
