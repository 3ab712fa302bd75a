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
import platform
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from load import Client, Timings, burst  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from programs import DEFAULT_PROGRAM_FILE  # noqa: E402
from services import reports  # noqa: E402
from services.digest import Audience, build_digests  # noqa: E402
from services.program_setup import install_program, load_program_file  # noqa: E402
from services.users import find_user_by_email  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import make_engine, session_factory, unit_of_work  # noqa: E402
from storage.models import Municipality  # noqa: E402
from tests.support.bulk import NationalData, NationalSize, build_national  # noqa: E402
from tests.support.clock import moment  # noqa: E402
from tests.support.login import logged_in_cookie  # noqa: E402
from tests.support.slack import SlackStandIn, sign  # noqa: E402

BIN = Path(sys.executable).parent
CLIENTS = 20
SIGNING_SECRET = "bench-signing-secret"
RESPONSE_URL = "http://127.0.0.1:9/response"  # the slow-answer path; set per run
COORDINATOR_SLACK = "UCOORD0001"
# A slow measure (p50 above this in the first round) is not repeated in later rounds.
SLOW = 0.5


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Row:
    measure: str
    database: str
    p50: float
    p99: float
    floor: float | None
    samples: int
    unit: str = "ms"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return None if not self.floor else self.p99 / self.floor


@dataclass
class Goal:
    name: str
    measured: float
    limit: float

    @property
    def ok(self) -> bool:
        return self.measured <= self.limit


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ---- data -----------------------------------------------------------------------------


def program_today() -> date:
    """Today as the site's clock sees it, inside the program (the site runs on real time)."""
    program = load_program_file(DEFAULT_PROGRAM_FILE)
    return min(max(date.today(), program.start + timedelta(days=180)), program.end)


def build(url: str, size: NationalSize) -> tuple[NationalData, float]:
    began = time.perf_counter()
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        install_program(
            session, load_program_file(DEFAULT_PROGRAM_FILE), now=moment(date(2026, 1, 1))
        )
    with unit_of_work(sessions) as session:
        data = build_national(session, size)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    return data, time.perf_counter() - began


# ---- in-process -----------------------------------------------------------------------


def _median_ms(sessions: Any, work: Callable[[Any], Any], times: int) -> float:
    found = []
    for _ in range(times):
        with unit_of_work(sessions, read_only=True) as session:
            began = time.perf_counter()
            work(session)
            found.append(time.perf_counter() - began)
    return statistics.median(found) * 1000


def in_process(url: str, database: str, data: NationalData, report: Report, times: int) -> None:
    engine = make_engine(url)
    sessions = session_factory(engine)
    today = data.today
    floor = _median_ms(
        sessions, lambda s: s.execute(text("SELECT count(*) FROM placement")).scalar(), times
    )
    report.rows.append(Row("SELECT count(*) FROM placement", database, floor, floor, None, times))
    measures: list[tuple[str, Callable[[Any], Any]]] = [
        (
            f"year_budget({today.year})",
            lambda s: reports.year_budget(s, year=today.year, today=today),
        ),
        ("all three years (/budget, /oversikt)", lambda s: reports.all_years(s, today=today)),
        ("availability", reports.availability),
        ("indicators", lambda s: reports.indicators(s, today=today)),
    ]
    goals = len(measures)  # the first ones are goals; what is added after is shown only
    measures += chat_answers(sessions, data)
    budget_ms = 0.0
    for number, (name, work) in enumerate(measures):
        took = _median_ms(sessions, work, times)
        budget_ms = budget_ms or took  # the first: the budget's own query
        report.rows.append(Row(name, database, took, took, floor, times, note="in-process"))
        if number < goals:
            report.goals.append(Goal(f"inprocess_{_slug(name)}_{database}", took / floor, 3.0))
    for name, work, against in reports_in_process(data):
        took = _median_ms(sessions, work, max(5, times // 5))
        base, label = (budget_ms, "the budget's query") if against == "budget" else (floor, "")
        report.rows.append(
            Row(
                name,
                database,
                took,
                took,
                base,
                max(5, times // 5),
                note=f"in-process; floor: {label}" if label else "in-process",
            )
        )

    def digest(session: Any) -> Any:
        ids = list(session.scalars(select(Municipality.id)))
        since = moment(today - timedelta(days=1), 7)
        audiences = [Audience(None, since)] + [Audience(i, since) for i in ids]
        assert len(build_digests(session, today=today, audiences=audiences)) == len(audiences)

    took = _median_ms(sessions, digest, 3)
    channels = len(data.municipality_ids) + 1
    report.rows.append(
        Row(f"digest for {channels} channels", database, took, took, None, 3, note="in-process")
    )
    report.goals.append(Goal(f"digest_{channels}_channels_seconds_{database}", took / 1000, 2.0))
    engine.dispose()


def chat_answers(sessions: Any, data: NationalData) -> list[tuple[str, Callable[[Any], Any]]]:
    """The chat answers themselves, without Slack's request around them (bot.commands)."""
    from bot.commands import Asker, ChatContext, answer
    from domain.access import Actor
    from domain.choices import Role
    from domain.clock import FixedClock
    from transports.slack.settings import ChatSettings

    ctx = ChatContext(
        settings=ChatSettings(bot_token="xoxb-bench", signing_secret=SIGNING_SECRET),
        sessions=sessions,
        clock=FixedClock(moment(data.today, 11)),
    )
    asker = Asker(
        COORDINATOR_SLACK, Actor(data.users["samordnare@bench.example"], Role.COORDINATOR)
    )
    code = data.codes["started"][0]
    # The answer opens its own unit of work: the session handed in is not used.
    return [
        (f"answer to /mm {words}", lambda _s, words=words: answer(ctx, asker, words))
        for words in ("platser", "budget", f"status {code}")
    ]


def reports_in_process(data: NationalData) -> list[tuple[str, Callable[[Any], Any], str]]:
    """The follow-up and requisition reports, each with what it is measured against
    ("budget": the yearly budget's query; "count": SELECT count(*))."""
    from domain.requisition import periods_ended_by, program_periods
    from services import (
        budget_follow_up,
        finsam_follow_up,
        indicator_report,
        requisition_lists,
        requisitions,
        steering_report,
    )
    from services.program_setup import current_program

    today = data.today
    quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)

    def year_of_bases(session: Any) -> Any:
        program = current_program(session)
        periods = [p for p in program_periods(program) if p.year == today.year]
        return requisition_lists.summaries(session, actor=None, periods=periods, today=today)

    def accruals(session: Any) -> Any:
        return requisition_lists.accruals(session, actor=None, on=today, today=today)

    def largest_basis(session: Any) -> Any:
        program = current_program(session)
        period = periods_ended_by(program, today)[-1]
        municipality = session.scalar(
            select(Municipality.id).where(Municipality.name == data.largest_municipality)
        )
        return requisitions.basis(
            session, actor=None, municipality_id=municipality, period=period, today=today
        )

    return [
        (
            f"budget follow-up {today.year} to today",
            lambda s: budget_follow_up.budget_follow_up(
                s, actor=None, year=today.year, to=today, today=today
            ),
            "count",
        ),
        (
            "indicators of the quarter, every municipality",
            lambda s: indicator_report.indicators_report(
                s, actor=None, first=quarter, last=today, today=today
            ),
            "count",
        ),
        (
            f"Finsam {today.year}, by gender",
            lambda s: finsam_follow_up.finsam(
                s, actor=None, year=today.year, half=None, today=today
            ),
            "count",
        ),
        (
            "steering group report of the quarter",
            lambda s: steering_report.steering_report(
                s, actor=None, first=quarter, last=today, today=today
            ),
            "count",
        ),
        (
            f"requisition bases of {today.year}: every municipality and period",
            year_of_bases,
            "budget",
        ),
        ("accruals today, every municipality", accruals, "budget"),
        (f"one basis with its lines ({data.largest_municipality})", largest_basis, "count"),
    ]


def _slug(name: str) -> str:
    plain = name.lower().translate(str.maketrans("åäöé", "aaoe"))
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


# ---- servers --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_web(app: str, port: int) -> list[str]:
    """The Procfile's web command, for `app`, on `port`."""
    line = next(
        line.split(":", 1)[1]
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    words = shlex.split(line.replace("${PORT:-8000}", str(port)))
    words[0] = str(BIN / words[0])
    return [app if w == "web:create_app()" else w for w in words]


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(name: str, app: str, env: dict[str, str], health: str) -> Server:
    port = _free_port()
    process = subprocess.Popen(
        procfile_web(app, port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(name, f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 60
    while True:
        try:
            status, _body = Client(server.url).send("GET", health, None, {})
            if status < 500:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            server.stop()
            raise SystemExit(f"{name} did not start")
        time.sleep(0.2)


# ---- requests -------------------------------------------------------------------------

_triggers = count(1)


def slash(user: str, words: str, path: str = "/slack/events") -> Callable[[], Any]:
    def make() -> tuple[str, str, bytes, dict[str, str]]:
        body = urllib.parse.urlencode(
            {
                "token": "unused",
                "team_id": "T0BENCH",
                "channel_id": "D0BENCH",
                "user_id": user,
                "command": "/mm",
                "text": words,
                "response_url": RESPONSE_URL,
                # Unique per request: the bot takes a repeated delivery in only once.
                "trigger_id": f"{time.time_ns()}.{next(_triggers)}",
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            **sign(SIGNING_SECRET, body),
        }
        return "POST", path, body.encode(), headers

    return make


def page(path: str, cookie: str | None = None) -> Callable[[], Any]:
    headers = {"Cookie": cookie} if cookie else {}
    return lambda: ("GET", path, None, headers)


def expect(status: int = 200, contains: str | None = None, not_contains: str | None = None) -> Any:
    def check(got: int, body: bytes) -> str | None:
        if got != status:
            return f"status {got}"
        text_ = body.decode("utf-8", "replace")
        if contains and contains not in text_:
            return f"missing {contains!r}"
        if not_contains and not_contains in text_:
            return f"answered later ({not_contains!r})"
        return None

    return check


def log_in(url: str, email: str) -> str:
    """A session cookie of a completed login (password and second factor), made as the login
    makes it: the bench measures pages, not argon2 or the authenticator."""
    engine = make_engine(url)
    sessions = session_factory(engine)
    with unit_of_work(sessions, read_only=True) as session:
        user = find_user_by_email(session, email)
        if user is None:
            raise SystemExit(f"no user {email}")
        user_id = user.id
    token = logged_in_cookie(sessions, user_id, datetime.now(UTC))
    engine.dispose()
    return f"mm_session={token}"


@dataclass
class Measure:
    name: str
    server: str
    make: Callable[[], Any]
    check: Callable[[int, bytes], str | None]
    floor: str | None  # the measure whose p99 is its floor
    limit: float | None = None
    timings: Timings = field(default_factory=Timings)
    slow: bool = False


def site_measures(data: NationalData, cookies: dict[str, str]) -> list[Measure]:
    code = data.codes.get("started", data.codes.get("ended"))[0]
    one_moment = "ögonblick"
    measures = [
        Measure(
            "/mm platser (coordinator)",
            "site",
            slash(COORDINATOR_SLACK, "platser"),
            expect(contains="blocks", not_contains=one_moment),
            "ack",
            1.5,
        ),
        Measure(
            "/mm budget",
            "site",
            slash(COORDINATOR_SLACK, "budget"),
            expect(contains="blocks", not_contains=one_moment),
            "ack",
            1.5,
        ),
        Measure(
            "/mm status <kod>",
            "site",
            slash(COORDINATOR_SLACK, f"status {code}"),
            expect(contains=code, not_contains=one_moment),
            "ack",
            1.5,
        ),
        Measure(
            "/oversikt", "site", page("/oversikt", cookies["coordinator"]), expect(), "page", 3.0
        ),
        Measure("/budget", "site", page("/budget", cookies["association"]), expect(), "page", 3.0),
        Measure(
            "/anmalningar?status=requested",
            "site",
            page("/anmalningar?status=requested", cookies["coordinator"]),
            expect(),
            "page",
            3.0,
        ),
        Measure(
            f"/forfragningar ({data.largest_municipality})",
            "site",
            page("/forfragningar", cookies["largest"]),
            expect(),
            "page",
            3.0,
        ),
    ]
    return measures + extra_site_measures(data, cookies) + casework_measures(data, cookies)


def casework_measures(data: NationalData, cookies: dict[str, str]) -> list[Measure]:
    """The lists and worklists (issue 14): paged, filtered and searched in SQL, each within
    3 times the bare page however long the history."""
    code = data.codes.get("started", data.codes.get("ended"))[0]
    coordinator, contact = cookies["coordinator"], cookies["largest"]
    investigator = cookies["investigator"]
    deep, after = data.deep_page
    pages = [
        ("/anmalningar (coordinator)", "/anmalningar", coordinator),
        ("/anmalningar?sida=1000 (coordinator)", "/anmalningar?sida=1000", coordinator),
        # The same page as the site links to it: by the key of the row before it.
        (
            f"/anmalningar?sida={deep}&sida-efter=<kod> (coordinator)",
            f"/anmalningar?sida={deep}&sida-efter={after}",
            coordinator,
        ),
        ("/anmalningar?q=<kod> (coordinator)", f"/anmalningar?q={code}", coordinator),
        ("/anmalningar (investigator)", "/anmalningar", investigator),
        ("/att-gora (coordinator)", "/att-gora", coordinator),
        ("/att-gora?task=ending (coordinator)", "/att-gora?task=ending", coordinator),
        (f"/att-gora ({data.largest_municipality})", "/att-gora", contact),
        ("/att-gora (investigator)", "/att-gora", investigator),
    ]
    return [
        Measure(name, "site", page(path, who), expect(), "page", 3.0) for name, path, who in pages
    ]


def extra_site_measures(data: NationalData, cookies: dict[str, str]) -> list[Measure]:
    """The follow-up reports, and the requisition pages: the list of a period's bases (a
    list's first page, with a goal) and the largest municipality's basis (a document of
    every line: no goal)."""
    code = data.codes_of[data.largest_municipality]
    coordinator = cookies["coordinator"]
    year = data.today.year
    reports = [
        (f"/uppfoljning/budget?ar={year}", f"/uppfoljning/budget?ar={year}"),
        ("/uppfoljning/indikatorer (the quarter)", "/uppfoljning/indikatorer"),
        ("/uppfoljning/samverkansgrupp (the quarter)", "/uppfoljning/samverkansgrupp"),
    ]
    return [
        *[
            Measure(name, "site", page(path, coordinator), expect(), "page")
            for name, path in reports
        ],
        Measure(
            "/rekvisitioner (coordinator)",
            "site",
            page("/rekvisitioner", coordinator),
            expect(),
            "page",
            3.0,
        ),
        Measure(
            f"/rekvisitioner/{code}/<last ended period> ({data.largest_municipality})",
            "site",
            page(f"/rekvisitioner/{code}/{data.last_ended_period}", cookies["largest"]),
            expect(),
            "page",
        ),
    ]


def floor_measures() -> list[Measure]:
    return [
        Measure(
            "bare Flask page, 50 rows", "page", page("/rows"), expect(contains="<table>"), None
        ),
        Measure(
            "bare Bolt ack, process_before_response=True",
            "ack_before",
            slash(COORDINATOR_SLACK, "platser"),
            expect(),
            None,
        ),
        Measure(
            "bare Bolt ack, default mode",
            "ack_default",
            slash(COORDINATOR_SLACK, "platser"),
            expect(),
            None,
        ),
    ]


def drive(
    servers: dict[str, Server], measures: list[Measure], rounds: int, per_client: int
) -> None:
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
    global RESPONSE_URL
    RESPONSE_URL = stand_in.response_url()
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
            note = f"{len(t.problems)} problems, e.g. {t.problems[0]}" if t.problems else ""
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
                report.goals.append(Goal(f"{_slug(m.name)}_{database}", t.p99 / floor, m.limit))
            if m.floor == "ack":
                report.goals.append(Goal(f"{_slug(m.name)}_worst_seconds_{database}", t.worst, 3.0))
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


# ---- output ---------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_kb // 1024 // 1024} GB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def print_report(report: Report, size: NationalSize) -> None:
    print(f"make bench, {date.today().isoformat()}, on {machine()}")
    print(
        f"data: {size.municipalities} municipalities, {size.placements} placements, "
        f"{size.open_requests} open requests; {CLIENTS} concurrent clients"
    )
    print()
    print("| measure | database | p50 | p99 | floor (p99) | ratio | n | note |")
    print("|---|---|---|---|---|---|---|---|")
    for r in report.rows:
        unit = r.unit
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else ""
        floor = f"{r.floor:.2f} {unit}" if r.floor else ""
        print(
            f"| {r.measure} | {r.database} | {r.p50:.2f} {unit} | {r.p99:.2f} {unit} | {floor} "
            f"| {ratio} | {r.samples} | {r.note} |"
        )
    for note in report.notes:
        print(f"\nNote: {note}")
    print()
    for g in report.goals:
        print(f"GOAL {g.name} ratio={g.measured:.2f} limit={g.limit:g} {'ok' if g.ok else 'short'}")


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
