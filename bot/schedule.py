"""The scheduler process: the daily digest at its time (bot.settings.DigestSchedule), the
outbox swept every OUTBOX_SWEEP_SECONDS, and the retention purge (gallring) at start-up and
every night.

The scheduler is APScheduler; running several is safe, because the outbox key of a digest
(digest:<channel>:<day>) lets only one of them queue it.
"""

from __future__ import annotations

import logging
from datetime import date

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.digest import enqueue_digests
from bot.runtime import ChatRuntime
from bot.settings import OUTBOX_SWEEP_SECONDS, DigestSchedule
from domain.clock import STOCKHOLM, local_date
from services.purge import purge
from storage.db import unit_of_work

log = logging.getLogger("mm.chat.digest")


def send_digests(
    runtime: ChatRuntime, schedule: DigestSchedule, day: date | None = None
) -> list[str]:
    """Queues the day's digests and delivers them; what another scheduler queued first is
    left to it. Returns the channels this call queued."""
    now = runtime.clock.now()
    with unit_of_work(runtime.sessions) as session:
        queued = enqueue_digests(
            session,
            today=day or local_date(now),
            now=now,
            settings=runtime.settings,
            schedule=schedule,
        )
    runtime.drain()
    return queued


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
