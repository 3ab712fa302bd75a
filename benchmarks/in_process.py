"""The bench's data and what it times in-process: the national-scale data set built on a
database, and the answers (reports, chat answers, the digest) timed against
`SELECT count(*) FROM placement`, without a web server around them."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from report import Goal, Report, Row, slug
from served import COORDINATOR_SLACK, SIGNING_SECRET
from sqlalchemy import create_engine, select, text

from programs import DEFAULT_PROGRAM_FILE
from services import reports
from services.digest import Audience, build_digests
from services.program_setup import install_program, load_program_file
from storage import migrate
from storage.db import make_engine, session_factory, unit_of_work
from storage.models import Municipality
from tests.support.bulk import NationalData, NationalSize, build_national
from tests.support.clock import moment


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


def _median_ms(
    sessions: Any, work: Callable[[Any], Any], times: int, read_only: bool = True
) -> float:
    """The median milliseconds of `work`; in a unit of work that may write, nothing is kept
    between the times (services.kept_answers): the answer is worked out each time."""
    found = []
    for _ in range(times):
        with unit_of_work(sessions, read_only=read_only) as session:
            began = time.perf_counter()
            work(session)
            found.append(time.perf_counter() - began)
    return statistics.median(found) * 1000


def in_process(url: str, database: str, data: NationalData, report: Report, times: int) -> None:
    engine = make_engine(url)
    sessions = session_factory(engine)
    today = data.today
    # The floor on the site's engine and on a plain one (no site settings such as
    # PostgreSQL's parallel plans turned off), whichever is faster: a setting that slows the
    # floor must not flatter the ratios.
    plain = create_engine(url)
    floor = min(
        _median_ms(
            factory, lambda s: s.execute(text("SELECT count(*) FROM placement")).scalar(), times
        )
        for factory in (sessions, session_factory(plain))
    )
    plain.dispose()
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
    # The goals are the answers as a reader gets them: kept while the database reads the same
    # (services.kept_answers); next to each, the same worked out from the kept figures.
    budget_ms = 0.0
    for name, work in measures:
        took = _median_ms(sessions, work, times)
        report.rows.append(Row(name, database, took, took, floor, times, note="in-process"))
        report.goals.append(Goal(f"inprocess_{slug(name)}_{database}", took / floor, 3.0))
        worked = _median_ms(sessions, work, times, read_only=False)
        budget_ms = budget_ms or worked  # the first: the budget's own query
        report.rows.append(
            Row(f"{name}, worked out", database, worked, worked, floor, times, note="in-process")
        )
    for name, work in chat_answers(sessions, data):
        took = _median_ms(sessions, work, times)
        report.rows.append(Row(name, database, took, took, floor, times, note="in-process"))
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
