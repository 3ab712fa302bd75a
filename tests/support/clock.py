"""Moments for use cases that take `now`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from domain.clock import STOCKHOLM


def moment(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)


class MovableClock:
    """A fixed clock that a test can move forward (a new TOTP step for the next login, an
    idle session)."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment = self.moment + delta
