"""When the daily digest goes out, and where: settings, and the scheduler process.

SLACK_DIGEST_CHANNEL   the coordinator's channel (municipalities use their own channels)
DIGEST_TIME            07:30 by default, Europe/Stockholm
DIGEST_DAYS            mon-fri by default (cron day-of-week); Swedish public holidays are
                       always skipped
DIGEST_OVERDUE_AFTER   a request is late after this many working days (2)
DIGEST_MEETINGS_WITHIN tripartite meetings this many working days ahead (5)

The scheduler is APScheduler; running several is safe, because the outbox key of a digest
(digest:<channel>:<day>) lets only one of them queue it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from domain.clock import STOCKHOLM, local_date
from domain.digest import DigestSettings
from domain.errors import DomainError
from domain.text import N_
from storage.db import unit_of_work

if TYPE_CHECKING:
    from bot.runtime import ChatRuntime

log = logging.getLogger("mm.chat.digest")
SWEEP_SECONDS = 30


class ScheduleSettingsError(DomainError):
    """A digest setting in the environment cannot be used."""


@dataclass(frozen=True)
class DigestSchedule:
    channel: str = ""
    at: time = time(7, 30)
    days: str = "mon-fri"
    content: DigestSettings = field(default_factory=DigestSettings)

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> DigestSchedule:
        environ = os.environ if environ is None else environ
        raw_time = environ.get("DIGEST_TIME", "07:30").strip()
        found = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw_time)
        if not found:
            raise ScheduleSettingsError(
                N_("DIGEST_TIME must be a time written HH:MM, not %(value)s."), value=raw_time
            )
        days = environ.get("DIGEST_DAYS", "mon-fri").strip() or "mon-fri"
        try:
            CronTrigger(day_of_week=days, timezone=STOCKHOLM)
        except ValueError:
            raise ScheduleSettingsError(
                N_("DIGEST_DAYS must be weekdays such as mon-fri or mon,wed,fri, not %(value)s."),
                value=days,
            ) from None
        content = DigestSettings(
            overdue_after_working_days=_count(environ, "DIGEST_OVERDUE_AFTER", 2),
            meetings_within_working_days=_count(environ, "DIGEST_MEETINGS_WITHIN", 5),
        )
        return cls(
            channel=environ.get("SLACK_DIGEST_CHANNEL", "").strip(),
            at=time(int(found.group(1)), int(found.group(2))),
            days=days,
            content=content,
        )

    def trigger(self) -> CronTrigger:
        return CronTrigger(
            day_of_week=self.days, hour=self.at.hour, minute=self.at.minute, timezone=STOCKHOLM
        )


def _count(environ: Mapping[str, str], key: str, default: int) -> int:
    raw = environ.get(key, str(default)).strip()
    if not raw.isdigit():
        raise ScheduleSettingsError(
            N_("%(key)s must be a whole number of working days, not %(value)s."),
            key=key,
            value=raw,
        )
    return int(raw)


def send_digests(runtime: ChatRuntime, schedule: DigestSchedule, day: date | None = None) -> Any:
    """Queues the day's digests and delivers them; what another scheduler queued first is
    left to it. Returns the channels this call queued."""
    from bot.digest import enqueue_digests

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
    """Blocks: the digest at its time on its days, and the outbox swept every half minute."""
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
        IntervalTrigger(seconds=SWEEP_SECONDS),
        id="outbox",
        coalesce=True,
        max_instances=1,
    )
    log.info("digest scheduled %s at %s (Europe/Stockholm)", schedule.days, schedule.at)
    scheduler.start()
