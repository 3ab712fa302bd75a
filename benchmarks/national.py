"""`make bench`: the site at national scale, side by side with its floors, on SQLite and on
the test suite's PostgreSQL.

    python benchmarks/national.py [--quick] [--databases sqlite,postgresql] [--rounds 4]

For each database it builds national-scale data (tests.support.bulk.build_national: 290
municipalities, 100 000 placements, 5 000 open requests), times the answers in-process
against `SELECT count(*) FROM placement`, starts the site under gunicorn exactly as the
Procfile does (gunicorn.conf.py) together with the floors (benchmarks/floors.py: a bare
Flask page of 50 rows from one SELECT, and a bare Bolt app that only acknowledges, in both
Bolt modes) under the same settings, and drives 20 concurrent clients at each in
interleaved rounds. Then a web worker's memory over 10 000 mixed requests, and `mm`'s
start-up against importing Flask, SQLAlchemy and Bolt.

It prints a table (measure, p50, p99, floor, ratio) and ends with one line per goal:
`GOAL <name> ratio=<measured> limit=<goal> ok|short`. `--quick` runs a small data set,
for trying the benchmark itself out; its figures mean nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import count
from pathlib import Path
from typing import Any

# Run as a script: the project and the bench's own modules (imported by bare name) on the
# path before they are imported.
BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parent))
sys.path.insert(0, str(BENCHMARKS))

import served  # noqa: E402
from in_process import build, in_process, program_today  # noqa: E402
from load import Timings, burst  # noqa: E402
from measures import Measure, floor_measures, site_measures  # noqa: E402
from report import CLIENTS, Goal, Report, Row, log, print_report, slug  # noqa: E402
from served import BIN, ROOT, SIGNING_SECRET, Server, log_in, start  # noqa: E402

from tests.support.bulk import NationalData, NationalSize  # noqa: E402
from tests.support.slack import SlackStandIn  # noqa: E402

# A slow measure (p50 above this in the first round) is not repeated in later rounds.
SLOW = 0.5


def drive(
    servers: dict[str, Server], measures: list[Measure], rounds: int, per_client: int
) -> None:
    # One untimed burst of every measure first, floors and site alike: a new worker's first
    # requests open its pool's connections and fill its caches (statements compiled, the
    # program, next-free estimates), which the rounds are not about: they time the servers
    # as they serve all day. What the warm-up took still counts for the chat's worst answer,
    # and a problem found in it is reported with the rest.
    log("warming up")
    for measure in measures:
        burst(
            servers[measure.server].url,
            measure.make,
            measure.check,
            clients=CLIENTS,
            per_client=1,
            timings=measure.warm,
            time_limit=10.0,
        )
    for number in range(rounds):
        log(f"round {number + 1} of {rounds}")
        for measure in measures:
            if measure.slow:
                continue
            before = len(measure.timings.seconds)
            burst(
                servers[measure.server].url,
                measure.make,
                measure.check,
                clients=CLIENTS,
                per_client=per_client,
                timings=measure.timings,
                time_limit=10.0,
            )
            if number == 0:
                fresh = Timings(measure.timings.seconds[before:])
                measure.slow = fresh.p50 > SLOW and measure.floor is not None


def memory(
    site: Server, measures: list[Measure], report: Report, database: str, total: int
) -> None:
    """RSS of the site's workers while `total` mixed requests go by."""
    mix = [m for m in measures if m.server == "site" and not m.slow]
    skipped = [m.name for m in measures if m.server == "site" and m.slow]
    if skipped:
        report.notes.append(
            f"{database}: left out of the memory mix as too slow to repeat 10 000 times: "
            + ", ".join(skipped)
        )
    turn = count()

    def make() -> Any:
        return mix[next(turn) % len(mix)].make()

    def rss() -> list[float]:
        found = []
        for pid in site.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    found.append(int(line.split()[1]) / 1024)
        return found

    readings = [max(rss(), default=0.0)]
    steps = 5
    for _ in range(steps):
        burst(
            site.url,
            make,
            lambda status, body: None,
            clients=CLIENTS,
            per_client=total // steps // CLIENTS,
            timings=Timings(),
        )
        readings.append(max(rss(), default=0.0))
    report.rows.append(
        Row(
            f"web worker RSS over {total} mixed requests (MB, largest worker)",
            database,
            readings[len(readings) // 2],
            readings[-1],
            None,
            total,
            unit="MB",
            note=" → ".join(f"{r:.0f}" for r in readings),
        )
    )
    report.goals.append(Goal(f"worker_memory_mb_{database}", readings[-1], 150.0))
    growth = readings[-1] - readings[len(readings) // 2]
    report.goals.append(Goal(f"worker_memory_growth_mb_second_half_{database}", growth, 10.0))


def serve_and_measure(
    url: str,
    database: str,
    data: NationalData,
    report: Report,
    rounds: int,
    per_client: int,
    memory_requests: int,
) -> None:
    stand_in = SlackStandIn()
    # Set on the module slash() reads it from, not on a copy of the name.
    served.RESPONSE_URL = stand_in.response_url()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret-key",
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_TEAM_ID": "T0BENCH",  # the workspace the slash commands come from
        "SLACK_API_URL": stand_in.api_url,
        "SITE_URL": "http://127.0.0.1",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'benchmarks'}",
        "LOG_LEVEL": "ERROR",
    }
    servers: dict[str, Server] = {}
    try:
        servers["site"] = start("site", "web:create_app()", env, "/healthz")
        servers["page"] = start("bare page", "floors:bare_page()", env, "/rows")
        servers["ack_before"] = start("bare ack", "floors:bare_ack(True)", env, "/")
        servers["ack_default"] = start("bare ack", "floors:bare_ack(False)", env, "/")
        cookies = {
            "coordinator": log_in(url, "samordnare@bench.example"),
            "association": log_in(url, "forbundet@bench.example"),
            "largest": log_in(url, data.contacts[data.largest_municipality]),
            "investigator": log_in(url, "utredare@bench.example"),
        }
        cookies.update(extra_cookies(servers["site"], url, data))
        measures = floor_measures() + site_measures(data, cookies)
        drive(servers, measures, rounds, per_client)
        floors = {
            "page": next(m for m in measures if m.server == "page").timings.p99,
            "ack": min(
                next(m for m in measures if m.server == "ack_before").timings.p99,
                next(m for m in measures if m.server == "ack_default").timings.p99,
            ),
        }
        for m in measures:
            t = m.timings
            floor = floors.get(m.floor) if m.floor else None
            problems = m.warm.problems + t.problems
            note = f"{len(problems)} problems, e.g. {problems[0]}" if problems else ""
            if m.slow:
                note = (note + "; " if note else "") + "slow: measured in the first round only"
            report.rows.append(
                Row(
                    m.name,
                    database,
                    t.p50 * 1000,
                    t.p99 * 1000,
                    floor * 1000 if floor else None,
                    len(t.seconds),
                    note=note,
                )
            )
            if m.limit is not None and floor:
                report.goals.append(Goal(f"{slug(m.name)}_{database}", t.p99 / floor, m.limit))
            if m.floor == "ack":
                worst = max(t.worst, m.warm.worst)
                report.goals.append(Goal(f"{slug(m.name)}_worst_seconds_{database}", worst, 3.0))
        # A fresh site for the memory: what the first rounds left behind (the slow lists
        # above all) is not what 10 000 ordinary requests do to a worker.
        servers["site"].stop()
        servers["site"] = start("site", "web:create_app()", env, "/healthz")
        memory(servers["site"], measures, report, database, memory_requests)
    finally:
        for server in servers.values():
            server.stop()
        stand_in.stop()


def extra_cookies(site: Server, url: str, data: NationalData) -> dict[str, str]:
    return {}


# ---- start-up -------------------------------------------------------------------------


def startup(report: Report) -> None:
    def median_seconds(command: list[str]) -> float:
        found = []
        for _ in range(5):
            began = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
            found.append(time.perf_counter() - began)
        return statistics.median(found)

    floor = median_seconds([sys.executable, "-c", "import flask, sqlalchemy, slack_bolt"])
    took = median_seconds([str(BIN / "mm"), "--help"])
    report.rows.append(
        Row(
            "mm --help",
            "-",
            took * 1000,
            took * 1000,
            floor * 1000,
            5,
            note="floor: python -c 'import flask, sqlalchemy, slack_bolt'",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data: tries the bench out")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    today = program_today()
    size = (
        NationalSize(municipalities=30, placements=3000, open_requests=300, today=today)
        if args.quick
        else NationalSize(today=today)
    )
    per_client, memory_requests = (2, 1000) if args.quick else (5, 10_000)
    report = Report()
    postgres = None
    with tempfile.TemporaryDirectory(prefix="mm-bench-") as folder:
        try:
            for database in args.databases.split(","):
                if database == "sqlite":
                    url = f"sqlite:///{Path(folder) / 'national.sqlite3'}"
                else:
                    from tests.support.postgres import start_postgres

                    postgres = start_postgres()
                    url = postgres.create_database("mm_bench")
                log(f"{database}: building the data")
                data, took = build(url, size)
                report.rows.append(
                    Row("build the data", database, took * 1000, took * 1000, None, 1)
                )
                log(f"{database}: in-process timings")
                in_process(url, database, data, report, 30 if args.quick else 50)
                log(f"{database}: serving")
                serve_and_measure(
                    url, database, data, report, args.rounds, per_client, memory_requests
                )
            startup(report)
        finally:
            if postgres is not None:
                postgres.stop()
    print_report(report, size)


if __name__ == "__main__":
    main()
