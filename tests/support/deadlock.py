"""A view that fails as a change does when PostgreSQL aborts it for a deadlock."""

from __future__ import annotations

import psycopg
from sqlalchemy.exc import OperationalError


def deadlocked(**_kwargs: object) -> None:
    """What SQLAlchemy raises when PostgreSQL aborts a transaction for a deadlock."""
    raise OperationalError(
        "UPDATE municipality SET offer=%(offer)s",
        {"offer": "19121212-1212"},
        psycopg.errors.DeadlockDetected("deadlock detected"),
    )
