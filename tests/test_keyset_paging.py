"""Lists paged by key: a "next" link names the last row's reference code, a "previous" link
the first row's, and the page is read from there by the index instead of walking every row
before it (OFFSET). Walking the whole list either way gives exactly the rows, in exactly the
order, that numbered pages give; page 1 is the same as before."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from domain.access import Actor
from domain.choices import Role
from services import lists
from services.lists import PageAt
from storage.db import unit_of_work
from storage.models import User
from tests.support.bulk import NationalSize, build_national, insert_placements
from tests.support.clock import moment
from tests.support.work import work_done

NOW = moment(date(2026, 11, 23))


def _codes(page) -> list[str]:
    return [r.reference_code for r in page.rows]


def _walk(read, pages: int) -> tuple[list[list[str]], list[list[str]]]:
    """Every page by "next" links from page 1, then back again by "previous" links."""
    forward = [read(PageAt(1))]
    while forward[-1].has_next:
        last = forward[-1]
        forward.append(read(PageAt(last.number + 1, after=last.rows[-1].reference_code)))
    back = [forward[-1]]
    while back[-1].has_previous:
        first = back[-1]
        back.append(read(PageAt(first.number - 1, before=first.rows[0].reference_code)))
    assert [p.number for p in forward] == list(range(1, pages + 1))
    assert all(p.keyed for p in forward)
    return [_codes(p) for p in forward], [_codes(p) for p in reversed(back)]


def test_keyed_pages_of_all_referrals_are_the_numbered_pages(world):
    coordinator = world.user(Role.COORDINATOR)
    osby, astorp = world.municipality("Osby"), world.municipality("Kristianstad")
    with unit_of_work(world.sessions) as session:
        # 130 referrals filed at the same moment: the id breaks the tie, also across pages.
        insert_placements(session, osby, [(date(2026, 3, 2), date(2026, 9, 1), False)] * 130)
        insert_placements(session, astorp, [(date(2026, 4, 1), date(2026, 8, 1), True)] * 20)

    def read(at):
        return world.read(
            lambda s: lists.referrals_for(s, actor=coordinator, now=NOW, page=at, size=40)
        )

    forward, back = _walk(read, 4)
    numbered = [_codes(read(n)) for n in range(1, 5)]
    assert forward == back == numbered
    every = [code for page in forward for code in page]
    assert len(every) == len(set(every)) == 150


def test_keyed_pages_of_a_municipalitys_inbox_are_the_numbered_pages(world):
    osby = world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    investigator = world.user(Role.INVESTIGATOR)
    where = world.municipality("Osby")
    with unit_of_work(world.sessions) as session:
        insert_placements(session, where, [(date(2026, 3, 2), date(2026, 12, 1), False)] * 25)
    # Requests not yet answered: no meeting and no start, sorted first on both databases.
    for _ in range(7):
        world.file(investigator, "Osby", date(2026, 11, 20))

    def placements(at):
        return world.read(
            lambda s: (
                lists.inbox_for(s, actor=osby, now=NOW, placements_page=at, size=10).placements
            )
        )

    def requests(at):
        return world.read(
            lambda s: lists.inbox_for(s, actor=osby, now=NOW, page=at, size=3).open_requests
        )

    forward, back = _walk(placements, 3)
    assert forward == back == [_codes(placements(n)) for n in range(1, 4)]
    forward, back = _walk(requests, 3)
    assert forward == back == [_codes(requests(n)) for n in range(1, 4)]


def test_a_key_no_longer_in_the_list_starts_from_the_first_page(world):
    coordinator = world.user(Role.COORDINATOR)
    osby = world.municipality("Osby")
    with unit_of_work(world.sessions) as session:
        insert_placements(session, osby, [(date(2026, 3, 2), date(2026, 9, 1), False)] * 60)
    first = world.read(lambda s: lists.referrals_for(s, actor=coordinator, now=NOW))
    gone = world.read(
        lambda s: lists.referrals_for(
            s, actor=coordinator, now=NOW, page=PageAt(2, after="MM-1999-0001")
        )
    )
    assert (gone.number, _codes(gone)) == (1, _codes(first))


def _second_and_last(sessions) -> tuple[tuple[int, int], tuple[int, int]]:
    """(statements, steps) for page 2 and for the last page of all referrals, by key."""
    with unit_of_work(sessions) as session:
        uid = session.scalar(select(User.id).where(User.email == "samordnare@bench.example"))
    coordinator = Actor(uid, Role.COORDINATOR)
    with unit_of_work(sessions, read_only=True) as session:
        everything = lists.referrals_for(session, actor=coordinator, now=NOW, size=10**6)
    codes = _codes(everything)
    pages = -(-len(codes) // lists.PAGE_SIZE)
    measured = []
    for number in (2, pages):
        at = PageAt(number, after=codes[(number - 1) * lists.PAGE_SIZE - 1])
        engine = sessions.kw["bind"]
        with unit_of_work(sessions, read_only=True) as session, work_done(engine) as done:
            page = lists.referrals_for(session, actor=coordinator, now=NOW, page=at)
        statements, steps = done
        # 3 300 referrals are counted to the first thousand only: whether a page follows.
        assert (page.number, page.has_next) == (number, number < pages)
        assert _codes(page) == codes[(number - 1) * lists.PAGE_SIZE :][: lists.PAGE_SIZE]
        measured.append((len(statements), steps[0]))
    return measured[0], measured[1]


def test_the_last_page_reads_no_more_than_the_second_at_one_and_ten_times_the_data(
    sqlite_sessions,
):
    with unit_of_work(sqlite_sessions) as session:
        build_national(
            session,
            NationalSize(municipalities=12, placements=300, open_requests=30, today=NOW.date()),
        )
    small_second, small_last = _second_and_last(sqlite_sessions)
    with unit_of_work(sqlite_sessions) as session:
        build_national(
            session,
            NationalSize(
                municipalities=30, placements=3000, open_requests=300, today=NOW.date(), seed=2
            ),
        )
    large_second, large_last = _second_and_last(sqlite_sessions)
    # The same statements at every depth and size of the list.
    assert small_second[0] == small_last[0] == large_second[0] == large_last[0]
    # The list itself reads 50 rows wherever it begins; the count reads at most 1 001 rows,
    # so ten times the data costs no more than the count's first thousand.
    assert small_last[1] <= small_second[1] + 1
    assert large_last[1] <= large_second[1] + 1


def _code_search_work(sessions) -> tuple[int, int]:
    with unit_of_work(sessions) as session:
        uid = session.scalar(select(User.id).where(User.email == "samordnare@bench.example"))
    coordinator = Actor(uid, Role.COORDINATOR)
    engine = sessions.kw["bind"]
    with unit_of_work(sessions, read_only=True) as session, work_done(engine) as done:
        found = lists.referrals_for(session, actor=coordinator, now=NOW, search="mm-2026-0042")
    assert _codes(found) == ["MM-2026-0042"]
    statements, steps = done
    return len(statements), steps[0]


def test_an_exact_code_is_read_by_the_unique_index_at_one_and_ten_times_the_data(
    sqlite_sessions,
):
    with unit_of_work(sqlite_sessions) as session:
        build_national(
            session,
            NationalSize(municipalities=12, placements=300, open_requests=30, today=NOW.date()),
        )
    small = _code_search_work(sqlite_sessions)
    with unit_of_work(sqlite_sessions) as session:
        build_national(
            session,
            NationalSize(
                municipalities=30, placements=3000, open_requests=300, today=NOW.date(), seed=2
            ),
        )
    # A count and a page, each one row by the index: no more work for ten times the rows.
    assert _code_search_work(sqlite_sessions) == small
    assert small[0] == 2


def test_typed_page_numbers_give_the_pages_the_links_give_in_every_list(world):
    """A number typed by hand reads the page's ids by OFFSET alone, then its rows: the same
    rows in the same order as the links' keyed pages, filtered or the investigator's own."""
    coordinator = world.user(Role.COORDINATOR)
    osby, astorp = world.municipality("Osby"), world.municipality("Kristianstad")
    with unit_of_work(world.sessions) as session:
        insert_placements(session, osby, [(date(2026, 3, 2), date(2026, 9, 1), False)] * 70)
        insert_placements(session, astorp, [(date(2026, 4, 1), date(2026, 8, 1), True)] * 50)
        bulk = session.scalar(select(User.id).where(User.email == "bulk@test.example"))
    investigator = Actor(bulk, Role.INVESTIGATOR)

    def ended(at):
        return world.read(
            lambda s: lists.referrals_for(
                s, actor=coordinator, now=NOW, page=at, size=20, status=lists.S.ENDED
            )
        )

    def own(at):
        with unit_of_work(world.sessions) as session:  # the names shown are logged
            return lists.referrals_for(session, actor=investigator, now=NOW, page=at, size=40)

    forward, back = _walk(ended, 3)
    assert forward == back == [_codes(ended(n)) for n in range(1, 4)]
    forward, back = _walk(own, 3)
    assert forward == back == [_codes(own(n)) for n in range(1, 4)]
    assert (own(9).number, _codes(own(9))) == (3, forward[-1])  # beyond the end: the last


def _typed_work(sessions, number: int) -> tuple[int, int, int]:
    """(statements, steps) of page `number` typed by hand, and the steps of the same page
    read whole row by row from the first (the join with OFFSET, the way before)."""
    with unit_of_work(sessions) as session:
        uid = session.scalar(select(User.id).where(User.email == "samordnare@bench.example"))
    coordinator = Actor(uid, Role.COORDINATOR)
    engine = sessions.kw["bind"]
    with unit_of_work(sessions, read_only=True) as session, work_done(engine) as done:
        page = lists.referrals_for(session, actor=coordinator, now=NOW, page=number)
    assert page.number == number
    key = (lists.Referral.created_at.desc(), lists.Referral.id.desc())
    before = lists._listed().order_by(*key).limit(lists.PAGE_SIZE + 1)
    with unit_of_work(sessions, read_only=True) as session, work_done(engine) as whole:
        rows = session.execute(before.offset((number - 1) * lists.PAGE_SIZE)).all()
    assert [r.reference_code for r in rows][: lists.PAGE_SIZE] == _codes(page)
    statements, steps = done
    return len(statements), steps[0], whole[1][0]


def test_a_typed_deep_page_walks_the_ids_only_at_one_and_ten_times_the_data(sqlite_sessions):
    small_size = NationalSize(municipalities=12, placements=300, open_requests=30, today=NOW.date())
    with unit_of_work(sqlite_sessions) as session:
        build_national(session, small_size)
    small = _typed_work(sqlite_sessions, 6)
    with unit_of_work(sqlite_sessions) as session:
        build_national(
            session,
            NationalSize(
                municipalities=30, placements=3000, open_requests=300, today=NOW.date(), seed=2
            ),
        )
    large = _typed_work(sqlite_sessions, 60)
    assert small[0] == large[0]  # the same statements at every depth
    # OFFSET still passes the rows before, but in the index of the order alone: with the
    # count's first thousand, under half the work of joining every row before the page
    # (at national scale, page 1 000: 102 000 steps against 715 000).
    assert large[1] * 2 < large[2]
