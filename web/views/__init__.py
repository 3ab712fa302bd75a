"""Blueprints, one per area. Each view parses its form, calls one use case of the domain in
one transaction, and redirects; a refusal from the domain is shown on the form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.availability import OverCapacity
from domain.errors import RuleViolation
from services import submissions
from services.kept_answers import kept
from services.lists import PageAt
from storage.db import again_if_transient
from storage.models import Municipality
from web import runtime
from web.forms.base import Form, OnceForm
from web.forms.fields import Choices, SelectChoice, options

T = TypeVar("T")


@dataclass(frozen=True)
class Attempt(Generic[T]):
    ok: bool
    value: T | None = None
    # The use case asks first (e.g. accepting beyond the capacity): its question.
    question: OverCapacity | None = None
    # Only rehearsed: it would have been carried out, and nothing was saved.
    rehearsed: bool = False


class _Undo(Exception):
    """Rolls a rehearsal back."""


def attempt(form: Form, work: Callable[[Session], T]) -> Attempt[T]:
    """Runs the use case; on a rule's refusal nothing is saved and the form says why.
    (Something that does not exist, or is not the actor's to see, is a 404.) A unit of work
    the database aborted as transient (storage.db.transient) is run again."""

    def run() -> Attempt[T]:
        with runtime.transaction() as session:
            return Attempt(True, work(session))

    try:
        return again_if_transient(run)  # aborted for a deadlock: nothing saved, run again
    except OverCapacity as question:
        return Attempt(False, question=question)
    except RuleViolation as error:
        form.add_domain_error(error)
        return Attempt(False)


def once(form: OnceForm, work: Callable[[Session], str], *, rehearse: bool = False) -> Attempt[str]:
    """Like `attempt`, for a form that creates something: done once per submission key. The
    same form sent again (double click, retry, another worker) gets what the first made.

    `rehearse`: run it and roll it back, to ask for confirmation only of what would be
    carried out (a form already carried out is simply done)."""

    def run(session: Session) -> str:
        key = form.submission_key.data
        actor, now = runtime.actor(), runtime.now()
        earlier = submissions.claim(session, key=key, actor=actor, now=now)
        if earlier is not None:
            return earlier
        result = work(session)
        if rehearse:
            raise _Undo
        submissions.complete(session, key=str(key), result=result)
        return result

    try:
        return attempt(form, run)
    except _Undo:
        return Attempt(False, rehearsed=True)


def municipality_choices(session: Session) -> list[SelectChoice]:
    """Every municipality to pick from: two columns, not 290 whole objects on every page."""
    named = select(Municipality.id, Municipality.name).order_by(Municipality.name)
    return options((m.id, m.name) for m in session.execute(named))


def municipality_filter(session: Session, everything: str, *, needed: bool = True) -> Choices:
    """The choices of a list's municipality filter: `everything` first, then every
    municipality. Not `needed` (the filter is not shown and nothing was chosen in it): only
    the first, and no statement. Made once per process while the municipalities read the
    same, so that their <select> is written once too (web.forms.fields.Choices)."""
    if not needed:
        return Choices([SelectChoice("", everything)])
    return _municipalities(session, everything)


_made: dict[str, tuple[list[Any], Choices]] = {}


def _municipalities(session: Session, everything: str) -> Choices:
    """Kept while the database reads the same (services.kept_answers): a coordinator's list
    then reads no municipality at all, instead of all 290 of a national program."""

    def made() -> Choices:
        named = select(Municipality.id, Municipality.name).order_by(Municipality.name)
        rows = [tuple(row) for row in session.execute(named)]
        known = _made.get(everything)
        if known is not None and known[0] == rows:  # a write elsewhere: the same choices
            return known[1]
        choices = Choices([SelectChoice("", everything), *options(rows)])
        _made[everything] = (rows, choices)
        return choices

    return kept(session, "municipality filter", everything, made)


def page_at(name: str = "sida") -> PageAt:
    """The page of a keyed list asked for: its number, and the reference code its link named
    (`<name>-efter` from a "next" link, `<name>-fore` from a "previous" one)."""
    from flask import request

    return PageAt(
        page_number(name),
        after=request.args.get(f"{name}-efter") or None,
        before=request.args.get(f"{name}-fore") or None,
    )


def page_number(name: str = "sida") -> int:
    """The page of a list asked for (the list clamps it to the pages there are)."""
    from flask import request

    return request.args.get(name, default=1, type=int) or 1
