"""Errors the rules raise. Each carries a whole translatable sentence.

Adapters map the kinds: NotFound and NotAllowed become 404/refusals (never revealing what
exists), RuleViolation becomes a message on the right field, SettingsError a list of lines.
"""

from __future__ import annotations

from typing import Any

from domain.text import N_, Text


class DomainError(Exception):
    """A rule said no. `text` is the sentence to show; `field` the input it is about."""

    def __init__(self, msgid: str, *, field: str | None = None, **params: Any) -> None:
        self.text = Text(msgid, params)
        self.field = field
        super().__init__(str(self.text))


class RuleViolation(DomainError):
    """The request breaks a rule of the process (wrong state, dates out of order, …)."""


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it exists."""


class NotAllowed(DomainError):
    """The actor's role does not allow this action."""


def checked_text(value: str | None, limit: int, field: str) -> str:
    """Free text as stored: stripped, and refused when longer than `limit` characters."""
    value = (value or "").strip()
    if len(value) > limit:
        raise RuleViolation(
            N_("The text is too long: at most %(limit)s characters."), field=field, limit=limit
        )
    return value


class SettingsError(Exception):
    """A program settings file is invalid; `problems` lists every sentence to show."""

    def __init__(self, problems: list[Text]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))
