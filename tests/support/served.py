"""The web site as gunicorn serves it in tests, on a day of the test's choosing:

    gunicorn --pythonpath ROOT 'tests.support.served:at("2026-11-23")'

DATABASE_URL and SECRET_KEY come from the environment, as in production."""

from __future__ import annotations

from datetime import date

from flask import Flask

from domain.clock import FixedClock
from tests.support.clock import moment
from web import create_app


def at(day: str) -> Flask:
    return create_app({"CLOCK": FixedClock(moment(date.fromisoformat(day), 11))})
