"""Blueprints, one per area. Each view parses its form, calls one use case of the domain in
one transaction, and redirects; a refusal from the domain is shown on the form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from domain.errors import RuleViolation
from services import submissions
from storage import queries
from web import runtime
from web.forms.base import Form, OnceForm
from web.forms.fields import SelectChoice, options

T = TypeVar("T")


@dataclass(frozen=True)
class Attempt(Generic[T]):
    ok: bool
    value: T | None = None


def attempt(form: Form, work: Callable[[Session], T]) -> Attempt[T]:
    """Runs the use case; on a rule's refusal nothing is saved and the form says why.
    (Something that does not exist, or is not the actor's to see, is a 404.)"""
    try:
        with runtime.transaction() as session:
            return Attempt(True, work(session))
    except RuleViolation as error:
        form.add_domain_error(error)
        return Attempt(False)


def once(form: OnceForm, work: Callable[[Session], str]) -> Attempt[str]:
    """Like `attempt`, for a form that creates something: done once per submission key. The
    same form sent again (double click, retry, another worker) gets what the first made."""

    def run(session: Session) -> str:
        key = form.submission_key.data
        actor, now = runtime.actor(), runtime.now()
        earlier = submissions.claim(session, key=key, actor=actor, now=now)
        if earlier is not None:
            return earlier
        result = work(session)
        submissions.complete(session, key=str(key), result=result)
        return result

    return attempt(form, run)


def municipality_choices(session: Session) -> list[SelectChoice]:
    return options((m.id, m.name) for m in queries.municipalities(session))
