"""Pages and answers that do not grow with history: the same number of statements whether
the program has a few hundred placements or ten times as many, and twice as many
municipalities (a small version of `make bench`'s national data, tests.support.bulk)."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.commands import Asker, ChatContext, answer
from domain.access import Actor
from domain.choices import Role
from domain.clock import FixedClock
from domain.deadlines import Task
from services import (
    budget_follow_up,
    finsam_follow_up,
    indicator_report,
    requisition_lists,
    steering_report,
)
from services.digest import Audience, build_digests
from storage.db import unit_of_work
from storage.models import Municipality, Referral, User
from tests.support.bulk import NationalSize
from tests.support.clock import moment
from tests.support.work import statements, work_done
from transports.slack.settings import ChatSettings
from web import create_app

TODAY = date(2026, 11, 23)
SMALL = NationalSize(municipalities=12, placements=300, open_requests=30, today=TODAY)
LARGE = NationalSize(municipalities=30, placements=1500, open_requests=300, today=TODAY, seed=2)


def _user_id(sessions, email: str) -> int:
    with unit_of_work(sessions) as session:
        return session.scalar(select(User.id).where(User.email == email))


def _warm_client(sessions, path: str, email: str) -> tuple[Any, Any]:
    """A site on the database with `email` logged in, and its engine, after one request to
    `path`: the first request reads what every later one has cached."""
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "counting", "CLOCK": FixedClock(moment(TODAY, 11))}
    )
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(_user_id(sessions, email))
    client.get(path)
    return client, app.extensions["mm.sessions"].kw["bind"]


def _page_statements(sessions, path: str, email: str) -> int:
    client, engine = _warm_client(sessions, path, email)
    with statements(engine) as found:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(found)


# (page, who looks, at most this many statements: "a handful" however much data)
PAGES = [
    ("/oversikt", "samordnare@bench.example", 12),
    # Another page of municipalities: the outlook of those on it only (storage.place_ends).
    ("/oversikt?sida=2", "samordnare@bench.example", 12),
    ("/budget", "forbundet@bench.example", 12),
    ("/rekvisitioner", "samordnare@bench.example", 14),
    ("/rekvisitioner?period=2026-07&status=draft&sida=2", "forbundet@bench.example", 14),
    # One basis: its lines from the placements that can reach the period, by index.
    ("/rekvisitioner/1272/2026-09", "samordnare@bench.example", 14),
    ("/upplupna-kostnader?datum=2026-10-31", "forbundet@bench.example", 12),
    ("/uppfoljning/budget?ar=2026&till=2026-06-30", "forbundet@bench.example", 12),
    ("/uppfoljning/indikatorer?fran=2026-01-01&till=2026-11-23", "forbundet@bench.example", 14),
    # Finsam also reads the association's figures and the previous report (issue 25); the
    # second half-year's utfall reads the running totals once for both of its days.
    ("/uppfoljning/finsam?ar=2026&halvar=2", "forbundet@bench.example", 15),
    # Four reports in one: indicators, the budget follow-up, accruals and free places, the
    # municipalities read once for all of them.
    (
        "/uppfoljning/samverkansgrupp?fran=2026-07-01&till=2026-09-30",
        "samordnare@bench.example",
        22,
    ),
]


# The lists, paged by key: page 1, a page deep in the list (its link names the row it follows,
# found by `_deep`), filtered, and an exact code (MM-2026-0042, see `_exact_code`).
LISTS = [
    ("/anmalningar", "samordnare@bench.example", 7),
    ("/anmalningar?status=requested", "samordnare@bench.example", 7),
    ("/anmalningar?sida=4&sida-efter={deep}", "samordnare@bench.example", 8),
    ("/anmalningar?q=MM-2026-0042", "samordnare@bench.example", 7),
    ("/anmalningar?sida=5", "samordnare@bench.example", 7),  # a number typed by hand
    # The investigator's own list: the views of the 50 names shown are logged apart, sealed
    # into the audit log's chain together (storage.trail.seal_all): one insert for all, the
    # referrals' ids from the page's own rows.
    ("/anmalningar", "utredare@bench.example", 10),
    ("/anmalningar?sida=2", "utredare@bench.example", 10),
    ("/forfragningar", "kontakt001@bench.example", 9),
    ("/forfragningar?q=MM-2026-0042", "kontakt001@bench.example", 9),
    # Typed page numbers (one statement for the ids by OFFSET and the rows by id, or the
    # last page there is): as many statements as page 1.
    ("/forfragningar?sida=2&platser=2", "kontakt001@bench.example", 9),
]


def _exact_code(sessions) -> None:
    """The bulk data's codes are of the form the site gives: MM-2026-0042 is the 42nd
    referral filed in 2026, whatever is added later."""
    with unit_of_work(sessions) as session:
        assert session.scalar(select(Referral.id).where(Referral.reference_code == "MM-2026-0042"))


def _deep(sessions, path: str, email: str) -> str:
    """The path with the code of the row a "next" link to that page would name."""
    if "{deep}" not in path:
        return path
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "k", "CLOCK": FixedClock(moment(TODAY, 11))}
    )
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(_user_id(sessions, email))
    wanted = int(path.split("sida=")[1].split("&")[0])
    link = path.split("?")[0]
    for _ in range(wanted - 1):
        page = client.get(link).get_data(as_text=True)
        found = re.findall(r'href="([^"]*sida-efter=[^"]*)" rel="next"', page)
        link = html.unescape(found[-1])
    return link


@pytest.mark.parametrize(("path", "email", "limit"), LISTS)
def test_a_list_page_runs_as_many_statements_at_ten_times_the_data(
    sqlite_national, path, email, limit
):
    sessions = sqlite_national.at(SMALL)
    _exact_code(sessions)
    small = _page_statements(sessions, _deep(sessions, path, email), email)
    sessions = sqlite_national.at(SMALL, LARGE)
    assert _page_statements(sessions, _deep(sessions, path, email), email) == small
    assert small <= limit


@pytest.mark.parametrize(("path", "email", "limit"), PAGES)
def test_a_page_runs_as_many_statements_at_ten_times_the_data(sqlite_national, path, email, limit):
    small = _page_statements(sqlite_national.at(SMALL), path, email)
    assert _page_statements(sqlite_national.at(SMALL, LARGE), path, email) == small <= limit


def _chat_statements(sessions, words: str) -> int:
    ctx = ChatContext(
        settings=ChatSettings(bot_token="xoxb-test", signing_secret="s"),
        sessions=sessions,
        clock=FixedClock(moment(TODAY, 11)),
    )
    with unit_of_work(sessions) as session:
        user = session.scalars(select(User).where(User.email == "samordnare@bench.example")).one()
        asker = Asker(None, Actor(user.id, Role.COORDINATOR))
    answer(ctx, asker, words)  # warm: the program is read once per process and revision
    with statements(sessions.kw["bind"]) as found:
        reply = answer(ctx, asker, words)
    assert reply.parts
    return len(found)


# The budget answer also forecasts the year's end at the current pace: the running totals and
# the accepted placements per meeting day, read once for both (budget_at_pace): 4.
@pytest.mark.parametrize(
    ("words", "limit"),
    [
        ("platser", 8),
        ("budget", 4),
        ("platser sida 2", 8),
        ("platser Kommun 007", 8),
        # The referral with its requests, placement, municipalities and extensions: one read.
        ("status MM-2026-0042", 2),
    ],
)
def test_a_chat_answer_runs_as_many_statements_at_ten_times_the_data(national, words, limit):
    small = _chat_statements(national.at(SMALL), words)
    assert _chat_statements(national.at(SMALL, LARGE), words) == small <= limit


def _digest_statements(sessions) -> tuple[int, int]:
    with unit_of_work(sessions) as session:
        ids = list(session.scalars(select(Municipality.id)))
        since = moment(TODAY, 7)
        audiences = [Audience(None, since)] + [Audience(i, since) for i in ids]
        build_digests(session, today=TODAY, audiences=audiences)  # warm, as above
        with statements(sessions.kw["bind"]) as found:
            built = build_digests(session, today=TODAY, audiences=audiences)
    assert len(built) == len(ids) + 1
    return len(found), len(ids)


def test_every_channels_digest_comes_from_one_pass(national):
    """The digests of 13 and of 31 channels are made by the same few queries."""
    small, few = _digest_statements(national.at(SMALL))
    large, many = _digest_statements(national.at(SMALL, LARGE))
    assert (few, many) == (12, 30)
    # 14: the places in use (the next free place) and the requisition bases that wait.
    assert large == small <= 14


# The worklists read the kept items (storage.worklist_queries): every kind counted in one
# statement, paged in one, the next meetings in one, whatever the history (the rest: the
# session, the menu, the filter's municipalities, and the requisition bases' own rule). A deep
# page of one kind is read by the key its link names.
# Each is then kept while the database reads the same (services.worklist): its first reading
# in a state reads that state's key too (one statement more).
WORKLISTS = [
    ("/att-gora", "kontakt001@bench.example", 12),
    ("/att-gora", "utredare@bench.example", 8),
    # The attester's and the payer's requisition bases: read by their state in one statement.
    # The filter's municipalities are kept while the database reads the same (web.views), on
    # SQLite per pooled connection: the second request, on another connection, reads them
    # again after the state's key (9 from the third on).
    ("/att-gora", "samordnare@bench.example", 10),
    ("/att-gora", "forbundet@bench.example", 6),
    ("/att-gora?task=book_follow_up", "samordnare@bench.example", 8),
]


@pytest.mark.parametrize(("path", "email", "limit"), WORKLISTS)
def test_a_worklist_runs_as_many_statements_at_ten_times_the_data(
    sqlite_national, path, email, limit
):
    small = _page_statements(sqlite_national.at(SMALL), path, email)
    assert _page_statements(sqlite_national.at(SMALL, LARGE), path, email) == small <= limit


KEPT_PAGES = [
    *[(p, e) for p, e, _limit in WORKLISTS],
    ("/anmalningar", "samordnare@bench.example"),
    ("/anmalningar?status=requested", "samordnare@bench.example"),
    ("/forfragningar", "kontakt001@bench.example"),
]


@pytest.mark.parametrize(("path", "email"), KEPT_PAGES)
def test_a_list_read_again_in_the_same_state_is_the_session_and_the_key_only(
    sqlite_national, path, email
):
    """Kept (services.kept_answers), on SQLite per pooled connection: once each connection
    has read it, a worklist or an unsearched list reads the session and the state's key and
    nothing more (the menu's count is kept by the worklist's page)."""
    client, engine = _warm_client(sqlite_national.at(SMALL), path, email)
    for _time in range(3):
        with statements(engine) as found:
            assert client.get(path).status_code == 200
    assert [s.split()[0] for s in found] == ["BEGIN", "SELECT", "BEGIN", "PRAGMA"]
    assert "FROM web_session" in found[1] and found[3] == "PRAGMA data_version"


def _deep_statements(sessions, pages: int) -> tuple[int, list[str]]:
    """One kind's list, 10 a page, followed by its "next" keys to page `pages`: the
    statements of the last page, and every code seen on the way."""
    from services import worklist
    from services.paging import PageAt

    with unit_of_work(sessions) as session:
        user = session.scalars(select(User).where(User.email == "samordnare@bench.example")).one()
        actor = Actor(user.id, Role.COORDINATOR)
        read = dict(actor=actor, today=TODAY, task=Task.BOOK_FOLLOW_UP, size=10)
        (section,) = worklist.for_coordinator(session, **read).sections
        seen = [i.reference_code for i in section.items]
        for number in range(2, pages + 1):
            at = PageAt(number, after=section.last_key)
            with statements(sessions.kw["bind"]) as found:
                (section,) = worklist.for_coordinator(session, page=at, **read).sections
            seen += [i.reference_code for i in section.items]
    return len(found), seen


def test_a_deep_worklist_page_is_read_by_its_key_at_ten_times_the_data(sqlite_national):
    small, seen = _deep_statements(sqlite_national.at(SMALL), 4)
    assert len(seen) == len(set(seen)) == 40  # each item once, none skipped
    large, seen = _deep_statements(sqlite_national.at(SMALL, LARGE), 12)
    assert len(seen) == len(set(seen)) == 120
    assert large == small <= 4


def _count_statements(sessions, email: str) -> tuple[int, int]:
    from services import worklist

    with unit_of_work(sessions) as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        actor = Actor(user.id, user.role, user.municipality_id)
        worklist.count_for(session, actor=actor, today=TODAY)  # warm: the program, read once
        with statements(sessions.kw["bind"]) as found:
            counted = worklist.count_for(session, actor=actor, today=TODAY)
    return len(found), counted


# 1 for the kinds of referral item; the requisition bases' rule reads its own
# (services.requisition_lists): a contact's drafts 4, the attester's bases by their state 1,
# the payer's 1 and nothing else; the investigator has none of those.
@pytest.mark.parametrize(
    ("email", "limit"),
    [
        ("kontakt001@bench.example", 5),
        ("utredare@bench.example", 1),
        ("samordnare@bench.example", 2),
        ("forbundet@bench.example", 1),
    ],
)
def test_the_menu_count_reads_the_kept_items_in_a_few_statements(sqlite_national, email, limit):
    small, few = _count_statements(sqlite_national.at(SMALL), email)
    large, many = _count_statements(sqlite_national.at(SMALL, LARGE), email)
    assert large == small <= limit
    if email == "samordnare@bench.example":
        assert many > few > 0  # it does count, and counts more with more data


def _budget_reads():
    """The budget's use cases in-process (`make bench`'s in-process lines), each with at most
    this many statements: the program's revision, the running totals, the kept accepted
    meetings, the stored bases and returns, the municipalities."""
    from domain.requisition import program_periods
    from services import budget_follow_up, reports, requisition_lists
    from services.program_setup import current_program

    def bases_of_the_year(session):
        periods = [p for p in program_periods(current_program(session)) if p.year == TODAY.year]
        return requisition_lists.summaries(session, actor=None, periods=periods, today=TODAY)

    coordinator = Actor(1, Role.COORDINATOR)
    return {
        "year_budget": (lambda s: reports.year_budget(s, year=2026, today=TODAY), 2),
        "all three years": (lambda s: reports.all_years(s, today=TODAY), 2),
        "budget follow-up": (
            lambda s: budget_follow_up.budget_follow_up(
                s, actor=None, year=2026, to=TODAY, today=TODAY
            ),
            6,
        ),
        "budget at pace": (
            lambda s: budget_follow_up.budget_at_pace(s, actor=coordinator, year=2026, today=TODAY),
            3,
        ),
        "accruals": (
            lambda s: requisition_lists.accruals(s, actor=None, on=TODAY, today=TODAY),
            5,
        ),
        "bases of the year": (bases_of_the_year, 5),
    }


def _use_case_statements(sessions, work) -> int:
    with unit_of_work(sessions, read_only=True) as session:
        work(session)  # warm: the program is read once per process and revision
    with (
        unit_of_work(sessions, read_only=True) as session,
        statements(sessions.kw["bind"]) as found,
    ):
        work(session)
    return len(found)


@pytest.mark.parametrize("name", list(_budget_reads()))
def test_a_budget_read_runs_as_many_statements_at_ten_times_the_data(national, name):
    work, limit = _budget_reads()[name]
    small = _use_case_statements(national.at(SMALL), work)
    assert _use_case_statements(national.at(SMALL, LARGE), work) == small <= limit


# The period reports as use cases: the same statements, and about as much of the database's
# work (SQLite's steps), at ten times the placements with the same municipalities (one more:
# the builder adds one). They read two days of the kept totals per municipality; counting
# the period's placements, they did 7-9 times the work (indicators 7 → 61 thousand steps,
# Finsam 17 → 150, the steering report 10 → 69).
TEN_TIMES = NationalSize(municipalities=13, placements=2700, open_requests=270, today=TODAY, seed=2)
REPORTS = {
    "indicators of a quarter": lambda s: indicator_report.indicators_report(
        s, actor=None, first=date(2026, 7, 1), last=date(2026, 9, 30), today=TODAY
    ),
    "Finsam of the year": lambda s: finsam_follow_up.finsam(
        s, actor=None, year=2026, half=None, today=TODAY
    ),
    "steering report of a quarter": lambda s: steering_report.steering_report(
        s, actor=None, first=date(2026, 7, 1), last=date(2026, 9, 30), today=TODAY
    ),
    # Each municipality's accrued days computed in the query (storage.figure_reads), one
    # number a municipality and day, whatever the placements behind them.
    "budget follow-up of the year": lambda s: budget_follow_up.budget_follow_up(
        s, actor=None, year=2026, to=TODAY, today=TODAY
    ),
    "accruals": lambda s: requisition_lists.accruals(s, actor=None, on=TODAY, today=TODAY),
}


def _report_work(sessions, report) -> tuple[int, int]:
    """The report worked out: in a unit of work that may write, which keeps nothing
    (services.kept_answers); in a read-only one the second call would be the kept answer,
    and the steering report and the indicators would count no statements at all."""
    with unit_of_work(sessions) as session:
        report(session)  # warm: the program is read once per process and revision
        with work_done(sessions.kw["bind"]) as (found, steps):
            report(session)
    return len(found), steps[0]


@pytest.mark.parametrize("name", list(REPORTS))
def test_a_period_report_does_not_grow_with_the_history(sqlite_national, name):
    small, small_steps = _report_work(sqlite_national.at(SMALL), REPORTS[name])
    large, large_steps = _report_work(sqlite_national.at(SMALL, TEN_TIMES), REPORTS[name])
    assert small > 0  # it was worked out, not taken as kept
    assert large == small
    assert large_steps <= 2 * small_steps + 1, (small_steps, large_steps)


def _list_steps(sessions, email: str, **filters) -> tuple[int, list[int]]:
    """The statements of a list (services.lists) and the SQLite steps (thousands) of each."""
    from services import lists

    with unit_of_work(sessions) as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        actor = Actor(user.id, user.role, user.municipality_id)
    now = moment(TODAY, 11)
    per: list[int] = []

    def step() -> int:
        per[-1] += 1
        return 0

    connections = []

    def count(conn, _cursor, _statement, *_args) -> None:
        per.append(0)
        connections.append(conn.connection.driver_connection)
        connections[-1].set_progress_handler(step, 1000)

    engine = sessions.kw["bind"]
    # A unit of work that may write: the list is worked out each time, not kept (a reader in
    # the same state of the data gets it kept: services.kept_answers). The investigator's own
    # list is never kept (its names), and logs their views apart: read only, as the page does.
    with unit_of_work(sessions, read_only=actor.role is Role.INVESTIGATOR) as session:
        lists.referrals_for(session, actor=actor, now=now, audit_apart=sessions, **filters)
        event.listen(engine, "before_cursor_execute", count)
        try:
            lists.referrals_for(session, actor=actor, now=now, audit_apart=sessions, **filters)
        finally:
            event.remove(engine, "before_cursor_execute", count)
            for connection in connections:
                connection.set_progress_handler(None, 0)
    return len(per), per


# (who, filters): the coordinator's list by status reads its page by (status, filed, id)
# (migration 0029), the investigator's own by (investigator, filed): the page's SQLite steps
# do not grow with the data; the count reads at most COUNT_LIMIT + 1 index entries.
@pytest.mark.parametrize(
    ("email", "filters"),
    [
        ("samordnare@bench.example", {}),
        ("samordnare@bench.example", {"status": "requested"}),
        ("samordnare@bench.example", {"status": "started"}),
        ("utredare@bench.example", {}),
    ],
)
def test_a_list_reads_as_many_rows_for_its_page_at_ten_times_the_data(
    sqlite_national, email, filters
):
    from domain.lifecycle import ReferralStatus

    wanted = {k: ReferralStatus(v) for k, v in filters.items()}
    small, few = _list_steps(sqlite_national.at(SMALL), email, **wanted)
    large, many = _list_steps(sqlite_national.at(SMALL, LARGE), email, **wanted)
    assert large == small
    # The count, then the page: 2 000 steps at most for the page's 51 rows and their joins
    # at both sizes (by ix_referral_created alone, the requested ones were 10 000 at 10×).
    for counted, page in (few[:2], many[:2]):
        assert counted <= 10 and page <= 2


# One municipality more (the bulk builder adds at least one) and ten times the placements:
# the next-free estimate of the municipalities shown is kept per revision of their plans
# (services.place_outlooks), so the overview and the places answer read the same rows,
# however many placements took a place.
TENFOLD = NationalSize(municipalities=13, placements=3000, open_requests=30, today=TODAY, seed=3)


def _page_work(sessions, path: str, email: str) -> tuple[int, int]:
    client, engine = _warm_client(sessions, path, email)
    with work_done(engine) as (found, steps):
        assert client.get(path).status_code == 200
    return len(found), steps[0]


def _answer_work(sessions, words: str) -> tuple[int, int]:
    ctx = ChatContext(
        settings=ChatSettings(bot_token="xoxb-test", signing_secret="s"),
        sessions=sessions,
        clock=FixedClock(moment(TODAY, 11)),
    )
    asker = Asker(None, Actor(_user_id(sessions, "samordnare@bench.example"), Role.COORDINATOR))
    answer(ctx, asker, words)  # warm, as _chat_statements
    with work_done(sessions.kw["bind"]) as (found, steps):
        assert answer(ctx, asker, words).parts
    return len(found), steps[0]


@pytest.mark.parametrize("path", ["/oversikt", "/oversikt?sida=2"])
def test_the_overview_reads_as_much_at_ten_times_the_placements(sqlite_national, path):
    email = "samordnare@bench.example"
    small = _page_work(sqlite_national.at(SMALL), path, email)
    large = _page_work(sqlite_national.at(SMALL, TENFOLD), path, email)
    assert large[0] == small[0] <= 12
    assert large[1] <= small[1] + 1, (small, large)  # SQLite steps, in thousands


@pytest.mark.parametrize("words", ["platser", "platser Kommun 007"])
def test_the_places_answer_reads_as_much_at_ten_times_the_placements(sqlite_national, words):
    small = _answer_work(sqlite_national.at(SMALL), words)
    large = _answer_work(sqlite_national.at(SMALL, TENFOLD), words)
    assert large[0] == small[0] <= 8
    assert large[1] <= small[1] + 1, (small, large)  # SQLite steps, in thousands


def test_the_inbox_reads_its_pages_in_order_by_its_indexes(sqlite_national):
    """A municipality's inbox (`/forfragningar`) reads its open requests and its placements
    without the final report in the list's order, by their indexes (migration 0033), and
    their referrals by key. Before, SQLite read all the municipality's placed referrals by
    the referrals' index and sorted them (PostgreSQL: joined and sorted them all). Only a
    sort within one day or moment remains ("right part"); at the small size the pages are
    not full, so their steps are no measure here."""
    path, email = "/forfragningar", "kontakt001@bench.example"
    sessions = sqlite_national.at(SMALL, LARGE)
    client, engine = _warm_client(sessions, path, email)
    found: list[tuple[str, Any]] = []

    def keep(_conn, _cursor, statement, parameters, *_args) -> None:
        found.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    pages = [(s, p) for s, p in found if "ORDER BY" in s and "LIMIT" in s]
    plans = []
    with engine.connect() as connection:
        for statement, parameters in pages:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plans.append([row[-1] for row in rows])
    firsts = sorted(plan[0] for plan in plans)
    assert firsts == [
        "SEARCH placement USING INDEX ix_placement_without_report (municipality_id=?)",
        "SEARCH placement_request USING INDEX ix_placement_request_open (municipality_id=?)",
    ], plans
    assert not [plan for plan in plans if "USE TEMP B-TREE FOR ORDER BY" in plan], plans
