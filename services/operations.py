"""What the operations team watches: whether a web host is ready for traffic (/readyz) and
the figures behind /metrics that the database holds (the outbox, the digest, the purge,
logins held back). Counts, states, transports and moments only: never a channel id, an
address, a reference code or anything about a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.authentication import FREE_FAILURES
from domain.delivery import OutboxState, Transport
from domain.events import EventKind
from storage import figures
from storage.models import ChatOutbox, Event, LoginThrottle

# A message due this long ago and still not sent (or claimed this long ago and not
# finished) means no process is delivering: the host is not ready.
STUCK_AFTER = timedelta(minutes=15)
WAITING = (OutboxState.PENDING, OutboxState.SENDING)
UNDELIVERED = (OutboxState.FAILED, OutboxState.UNKNOWN)
DIGEST_KEYS = "digest:%"

# Why a host is not ready, as /readyz names it (machine-readable words for the balancer).
DATABASE_UNAVAILABLE = "database_unavailable"
MIGRATIONS_PENDING = "migrations_pending"
OUTBOX_STUCK = "outbox_stuck"


def not_ready_because(session: Session, *, now: datetime) -> str | None:
    """The reason this database keeps a host out of service, or None when all is well."""
    from storage import migrate  # Alembic (~10 MB) only in a process asked whether it is ready

    if not migrate.is_current(session.connection()):
        return MIGRATIONS_PENDING
    if stuck_messages(session, now=now):
        return OUTBOX_STUCK
    return None


def stuck_messages(session: Session, *, now: datetime) -> int:
    before = now - STUCK_AFTER
    due_long_ago = (ChatOutbox.state == OutboxState.PENDING) & (ChatOutbox.next_attempt_at < before)
    claimed_long_ago = (ChatOutbox.state == OutboxState.SENDING) & (ChatOutbox.claimed_at < before)
    return (
        session.scalar(
            select(func.count()).select_from(ChatOutbox).where(due_long_ago | claimed_long_ago)
        )
        or 0
    )


@dataclass(frozen=True)
class TransportFigures:
    waiting: int = 0
    oldest_waiting_seconds: float = 0.0
    undelivered: int = 0


@dataclass(frozen=True)
class OperationsFigures:
    outbox: dict[Transport, TransportFigures] = field(default_factory=dict)
    digest_last_sent_at: datetime | None = None
    purge_last_run_at: datetime | None = None
    purge_last_referrals: int = 0
    purge_last_audit_rows: int = 0
    logins_held_back: int = 0  # account-and-address pairs past their free tries


def operations_figures(session: Session, *, now: datetime) -> OperationsFigures:
    waiting = {
        transport: (count, oldest)
        for transport, count, oldest in session.execute(
            select(ChatOutbox.transport, func.count(), func.min(ChatOutbox.created_at))
            .where(ChatOutbox.state.in_(WAITING))
            .group_by(ChatOutbox.transport)
        )
    }
    undelivered: dict[Transport, int] = {
        transport: count
        for transport, count in session.execute(
            select(ChatOutbox.transport, func.count())
            .where(ChatOutbox.state.in_(UNDELIVERED))
            .group_by(ChatOutbox.transport)
        )
    }
    outbox = {}
    for transport in Transport:
        count, oldest = waiting.get(transport, (0, None))
        age = max((now - oldest).total_seconds(), 0.0) if oldest else 0.0
        outbox[transport] = TransportFigures(count, age, undelivered.get(transport, 0))
    last_purge = session.execute(
        select(Event.at, Event.details)
        .where(Event.kind == EventKind.PURGE_RUN)
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(1)
    ).first()
    details = last_purge.details if last_purge else {}
    return OperationsFigures(
        outbox=outbox,
        digest_last_sent_at=session.scalar(
            select(func.max(ChatOutbox.sent_at)).where(ChatOutbox.key.like(DIGEST_KEYS))
        ),
        purge_last_run_at=last_purge.at if last_purge else None,
        purge_last_referrals=int(details.get("referrals", 0)),
        purge_last_audit_rows=int(details.get("audit_rows", 0)),
        logins_held_back=session.scalar(
            select(func.count())
            .select_from(LoginThrottle)
            .where(LoginThrottle.failures >= FREE_FAILURES)
        )
        or 0,
    )


def kept_figures_agree(session: Session) -> bool:
    """`mm figures check` for the metrics: the kept figures equal a recount."""
    return not figures.differences(session)
