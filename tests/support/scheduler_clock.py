"""`mm` with APScheduler's wall clock moved forward, for a test that needs the schedulers'
digest job to come due now rather than at a real minute some way off.

    python tests/support/scheduler_clock.py SECONDS FOLDER COUNT mm-arguments...

Everything is the real `mm` (cli.main:main): the schedule from DIGEST_TIME and DIGEST_DAYS,
APScheduler's cron trigger in Europe/Stockholm, the job and its misfire rules. Only the time
APScheduler reads is moved. The first time it looks at the clock (when the scheduler starts
and plans its jobs) the process leaves a file in FOLDER and waits until COUNT schedulers
have; from the moment the last of them came, APScheduler's clock stands SECONDS before the
next DIGEST_TIME and runs at its normal pace. So the COUNT schedulers reach DIGEST_TIME at
the same real moment, as schedulers on several hosts do. The application's own clock
(`--date`) is not touched."""

from __future__ import annotations

import os
import sys
import time as timer
from datetime import UTC, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class _Moved(datetime):
    offset: timedelta | None = None
    lead = timedelta(seconds=3)
    digest_at = time(7, 30)
    folder = Path(".")
    count = 1

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _Moved:  # type: ignore[override]
        if cls.offset is None:
            cls.offset = cls._meet()
        return cls.fromtimestamp((datetime.now(UTC) + cls.offset).timestamp(), tz)

    @classmethod
    def _meet(cls) -> timedelta:
        (cls.folder / str(os.getpid())).touch()
        deadline = timer.monotonic() + 300
        while len(arrived := list(cls.folder.iterdir())) < cls.count:
            if timer.monotonic() > deadline:
                raise SystemExit("the other schedulers did not start")
            timer.sleep(0.05)
        last = datetime.fromtimestamp(max(p.stat().st_mtime for p in arrived), UTC)
        local = last.astimezone(STOCKHOLM)
        due = datetime.combine(local.date(), cls.digest_at, STOCKHOLM)
        if due - cls.lead <= local:
            due = datetime.combine(local.date() + timedelta(days=1), cls.digest_at, STOCKHOLM)
        return (due - cls.lead) - last  # forward only: nothing looks missed


def main() -> None:
    if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]  # run by its path: the helpers beside it are no top-level modules
    import apscheduler.executors.base
    import apscheduler.schedulers.base

    from digest.settings import DigestSchedule

    _Moved.lead = timedelta(seconds=float(sys.argv[1]))
    _Moved.folder = Path(sys.argv[2])
    _Moved.count = int(sys.argv[3])
    _Moved.digest_at = DigestSchedule.load().at
    apscheduler.schedulers.base.datetime = _Moved  # type: ignore[misc]
    apscheduler.executors.base.datetime = _Moved  # type: ignore[misc]
    from cli.main import main as mm

    sys.argv = [str(Path(sys.executable).parent / "mm"), *sys.argv[4:]]
    mm()


if __name__ == "__main__":
    main()
