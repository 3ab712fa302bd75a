"""What every view needs from the app: the database, the clock, and who is asking."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy.orm import Session, sessionmaker

from domain.access import Actor
from domain.clock import local_date
from domain.errors import NotAllowed, NotFound
from storage.db import unit_of_work


def now() -> datetime:
    return current_app.config["CLOCK"].now()


def today() -> date:
    return local_date(now())


def actor() -> Actor:
    return current_user.actor


def sessions() -> sessionmaker[Session]:
    """The site's session factory: for a short unit of work of its own inside a page."""
    factory: sessionmaker[Session] = current_app.extensions["mm.sessions"]
    return factory


@contextmanager
def transaction(*, read_only: bool = False) -> Iterator[Session]:
    """One unit of work; what the actor may not see or do is simply not there (404).
    `read_only` for a page that only reads: it waits for no writer (storage.db)."""
    try:
        with unit_of_work(current_app.extensions["mm.sessions"], read_only=read_only) as session:
            yield session
    except (NotFound, NotAllowed):
        abort(404)
