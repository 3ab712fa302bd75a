"""When and where the daily digest goes, from the environment.

SLACK_DIGEST_CHANNEL   the coordinator's channel (municipalities use their own channels)
MATRIX_DIGEST_ROOM     the coordinator's Matrix room
DIGEST_TIME            07:30 by default, Europe/Stockholm
DIGEST_DAYS            mon-fri by default (cron day-of-week); Swedish public holidays are
                       always skipped
DIGEST_OVERDUE_AFTER   a request is late after this many working days
DIGEST_MEETINGS_WITHIN tripartite meetings this many working days ahead
(the defaults of the last two are domain.deadlines.DeadlineSettings')
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time

from apscheduler.triggers.cron import CronTrigger

from domain.clock import STOCKHOLM
from domain.deadlines import DeadlineSettings
from domain.errors import DomainError
from domain.text import N_


class ScheduleSettingsError(DomainError):
    """A digest setting in the environment cannot be used."""


@dataclass(frozen=True)
class DigestSchedule:
    channel: str = ""
    matrix_room: str = ""  # MATRIX_DIGEST_ROOM: the coordinator's room
    at: time = time(7, 30)
    days: str = "mon-fri"
    content: DeadlineSettings = field(default_factory=DeadlineSettings)

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
        defaults = DeadlineSettings()
        content = DeadlineSettings(
            overdue_after_working_days=_count(
                environ, "DIGEST_OVERDUE_AFTER", defaults.overdue_after_working_days
            ),
            meetings_within_working_days=_count(
                environ, "DIGEST_MEETINGS_WITHIN", defaults.meetings_within_working_days
            ),
        )
        return cls(
            channel=environ.get("SLACK_DIGEST_CHANNEL", "").strip(),
            matrix_room=environ.get("MATRIX_DIGEST_ROOM", "").strip(),
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
