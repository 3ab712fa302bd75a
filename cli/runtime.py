"""What the commands of `mm` share: the database and the clock, opened only when first needed.

A module of its own so that command modules (cli/, bot/) can take it without importing the
command group that registers them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from functools import cached_property
from typing import Any

import click
from sqlalchemy.orm import Session, sessionmaker

from domain.clock import STOCKHOLM, Clock, FixedClock, SystemClock, local_date
from storage import crypto
from storage.db import make_engine, session_factory


class Runtime:
    """What commands share: the database and the clock, opened only when first needed."""

    def __init__(self, today: date | None = None) -> None:
        self.clock: Clock = SystemClock()
        if today:
            self.act_on(today)

    def act_on(self, today: date) -> None:
        """From now on, act as if it were noon on `today` (for --date)."""
        self.clock = FixedClock(datetime.combine(today, time(12), STOCKHOLM))

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        engine = make_engine()
        crypto.check_database(engine)  # a missing or wrong key: a Swedish error, not a trace
        return session_factory(engine)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return local_date(self.now())


pass_runtime: Callable[..., Any] = click.make_pass_decorator(Runtime)
