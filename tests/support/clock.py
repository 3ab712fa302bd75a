"""Moments for use cases that take `now`."""

from __future__ import annotations

from datetime import date, datetime

from domain.clock import STOCKHOLM


def moment(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)
