"""The scheduler process: the daily digest at its time (digest.settings.DigestSchedule), the
outbox swept every OUTBOX_SWEEP_SECONDS, and the retention purge (gallring) at start-up and
every night.

The scheduler is APScheduler; running several is safe, because the outbox key of a digest
(digest:<channel>:<day>) lets only one of them queue it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.runtime import ChatRuntime
from digest.late import enqueue_late_notices
from digest.plan import digest_keys, enqueue_digests
from digest.settings import DigestSchedule
from domain.calendar import is_working_day
from domain.clock import STOCKHOLM, local_date
from domain.delivery import OutboxState, Transport
from notices import outbox
from notices.outbox import SENT
from services.purge import purge
from storage.db import unit_of_work
from transports.slack.settings import OUTBOX_SWEEP_SECONDS

log = logging.getLogger("mm.chat.digest")


@dataclass(frozen=True)
class Waiting:
    channel: str
    next_attempt_at: datetime
    reason: str | None


@dataclass(frozen=True)
class Undelivered:
    channel: str
    reason: str | None


@dataclass(frozen=True)
class DigestReport:
    """What happened to each of the day's digests in this run."""

    queued: list[str] = field(default_factory=list)  # channels this run queued
    sent_now: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)  # earlier, or by another process
    waiting: list[Waiting] = field(default_factory=list)  # for a new try
    undelivered: list[Undelivered] = field(default_factory=list)  # for the administrator
    elsewhere: list[str] = field(default_factory=list)  # being sent by another process now

    @property
    def complete(self) -> bool:
        return not (self.waiting or self.undelivered)


def send_digests(
    runtime: ChatRuntime, schedule: DigestSchedule, day: date | None = None
) -> list[str]:
    """The scheduler's job: sends the day's digests; returns the channels this call queued."""
    return run_digests(runtime, schedule, day).queued


def run_digests(
    runtime: ChatRuntime, schedule: DigestSchedule, day: date | None = None
) -> DigestReport:
    """Queues the day's digests and sends whatever of the outbox is due — what this run
    queued, and what a run that stopped half-way left (a digest claimed by a process that
    died is looked for in its channel before it is sent again). Reports each digest."""
    now = runtime.clock.now()
    today = day or local_date(now)
    transports = runtime.channels.transports
    with unit_of_work(runtime.sessions) as session:
        queued = enqueue_digests(
            session,
            today=today,
            now=now,
            settings=runtime.settings,
            schedule=schedule,
            transports=transports,
        )
        if Transport.EMAIL in transports and is_working_day(today):
            enqueue_late_notices(
                session, today=today, now=now, settings=runtime.settings, schedule=schedule
            )
        keys = digest_keys(session, today=today, schedule=schedule, transports=transports)
        sent_before = {
            key for key, row in outbox.states_in(session, keys).items() if row.state is SENT
        }
    runtime.drain()
    runtime.sweep()
    runtime.drain()
    report = DigestReport(queued=queued)
    for key, row in sorted(outbox.states(runtime.sessions, keys).items()):
        if row.state is OutboxState.SENT:
            (report.already_sent if key in sent_before else report.sent_now).append(row.channel)
        elif row.state is OutboxState.PENDING:
            report.waiting.append(Waiting(row.channel, row.next_attempt_at, row.last_error))
        elif row.state is OutboxState.SENDING:
            report.elsewhere.append(row.channel)
        else:
            report.undelivered.append(Undelivered(row.channel, row.last_error))
    return report


def run(runtime: ChatRuntime, schedule: DigestSchedule) -> None:
    """Blocks: the digest at its time on its days, and the outbox swept regularly."""
    scheduler = BlockingScheduler(timezone=STOCKHOLM)
    scheduler.add_job(
        send_digests,
        schedule.trigger(),
        args=[runtime, schedule],
        id="digest",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        runtime.sweep,
        IntervalTrigger(seconds=OUTBOX_SWEEP_SECONDS),
        id="outbox",
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        purge_now,
        CronTrigger(hour=2, minute=15, timezone=STOCKHOLM),
        args=[runtime],
        id="purge",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=6 * 3600,
    )
    purge_now(runtime)  # a restored backup may hold data purged since: purge at start-up
    log.info("digest scheduled %s at %s (Europe/Stockholm)", schedule.days, schedule.at)
    scheduler.start()


def purge_now(runtime: ChatRuntime) -> None:
    """Gallring: personal data past its retention (services.purge), one summary log line."""
    with unit_of_work(runtime.sessions) as session:
        result = purge(session, now=runtime.clock.now())
    log.info(
        "purge: personal data of %d referrals removed, %d audit rows past retention",
        len(result.codes),
        result.audit_rows,
    )
