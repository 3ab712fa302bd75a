"""The lists of referrals: the investigator's own, every referral for the coordinator, a
municipality's requests and placements. Filtered, searched, counted and paged in SQL (a
national program has 100 000 rows), selecting only the columns a list shows: codes,
statuses, municipalities and dates, never personal data.

Search is by reference code for everyone (within what they may see), and by personnummer or
name for those who may see personal data; every search for a person is written to the audit
log. A name is found through its blind index (one keyed hash per normalised word, see
storage.crypto): every word typed must be a whole word of the name, and a participant with
protected personal data, who has no name here, is never found by one.

The investigator's own list shows each participant's name (written to the audit log as
`own_list`: the investigator's own participants, so not flagged as many openings).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session, sessionmaker

from domain.access import Actor, check_answers_for, check_lists_referrals
from domain.audit import Field, Seen
from domain.choices import Role
from domain.clock import local_date
from domain.lifecycle import ACTIVE_AT_MUNICIPALITY, ReferralStatus
from services import audit
from services.kept_answers import kept
from services.list_search import Search as Search
from services.list_search import matching, read_search
from services.paging import COUNT_LIMIT, count_up_to, keyed_page
from services.paging import Page as Page
from services.paging import PageAt as PageAt
from storage import worklist_queries
from storage.models import (
    Municipality,
    Participant,
    Placement,
    PlacementRequest,
    Referral,
)
from storage.models.base import NO_DAY
from storage.query_hints import not_by_index

S = ReferralStatus
PAGE_SIZE = 50
# Sorts a placement with neither a meeting nor a start first, on both databases (SQLite puts
# NULL first, PostgreSQL last, and a keyset cannot step past a NULL). A literal, as in the
# inbox's index (storage.models.base.INBOX_DAY).
_NO_DAY = literal_column(NO_DAY, Date)


@dataclass(frozen=True)
class ReferralRow:
    """One line of a list: nothing in it is personal data, except the participant's name in
    the investigator's own list ("" when the participant has protected personal data)."""

    reference_code: str
    status: ReferralStatus
    municipality_id: int | None
    municipality: str | None
    filed_at: datetime
    asked_at: datetime | None
    meeting_on: date | None
    started_on: date | None
    planned_end_on: date | None
    final_report_on: date | None
    name: str | None = None
    protected_identity: bool = False
    ended_on: date | None = None
    # The referral's id, for the audit log of the names shown; not shown itself.
    referral_id: int = field(default=0, compare=False, repr=False)


# A status by its stored value: a dict look-up, not the Enum's call, 50 times a page.
_STATUS = {s.value: s for s in ReferralStatus}


def _rows(query: Iterable[Any]) -> list[ReferralRow]:
    found = list(query)
    # Whether the name was selected, asked of the first row once: a missing key asked of
    # every row's mapping took a third of the time the rows took to make.
    named = bool(found) and "name" in found[0]._fields
    return [
        ReferralRow(
            reference_code=r.reference_code,
            status=_STATUS[r.status],
            municipality_id=r.current_municipality_id,
            municipality=r.municipality,
            filed_at=r.created_at,
            asked_at=r.asked_at,
            meeting_on=r.meeting_on,
            started_on=r.started_on,
            planned_end_on=r.planned_end_on,
            final_report_on=r.final_report_on,
            name=r.name if named else None,
            protected_identity=bool(r.protected_identity) if named else False,
            ended_on=r.ended_on,
            referral_id=r.id,
        )
        for r in found
    ]


def _listed(asked_at: Any = None) -> Select[Any]:
    """The columns a list shows, and nothing else (no objects, no personal data)."""
    return (
        select(
            Referral.id,
            Referral.reference_code,
            Referral.status,
            Referral.current_municipality_id,
            Municipality.name.label("municipality"),
            Referral.created_at,
            (asked_at if asked_at is not None else Referral.submitted_at).label("asked_at"),
            Placement.meeting_on,
            Placement.started_on,
            Placement.planned_end_on,
            Placement.final_report_on,
            Placement.ended_on,
        )
        .outerjoin(Municipality, Municipality.id == Referral.current_municipality_id)
        .outerjoin(Placement, Placement.referral_id == Referral.id)
    )


def _page(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    key: Sequence[Any],
    at: PageAt | int,
    size: int,
    *,
    query: Select[Any] | None = None,
    descending: bool = False,
    total: int | None = None,
    listing: Sequence[ColumnElement[bool]] | None = None,
) -> Page[ReferralRow]:
    """One page, in the order of the `key` columns (unique together, the last the tie-break),
    of a list counted up to COUNT_LIMIT (services.paging), unless its `total` is known.
    `listing`: the conditions the page's own `query` needs besides what it joins by, where
    they are fewer than those that count the referrals (by default the same)."""
    at = PageAt.of(at)
    if total is None:
        total = count_up_to(session, _ids(conditions))
    over = total > COUNT_LIMIT
    number = max(at.number, 1) if over else min(max(at.number, 1), math.ceil(total / size) or 1)
    listed = (query if query is not None else _listed()).where(
        *(conditions if listing is None else listing)
    )
    code = at.after or at.before
    found = None
    if code is not None and number > 1:  # the row the link names, by the unique index
        found = session.execute(
            listed.where(Referral.reference_code == code).with_only_columns(*key)
        ).first()
    if found is None:
        number = number if code is None else 1  # a code no longer in the list: start over
        order = [k.desc() if descending else k for k in key]
        rows = _numbered(session, listed, conditions, order, number, size)
        if over and not rows and number > 1:  # typed beyond the end: the last page
            every = session.scalar(select(func.count(Referral.id)).where(*conditions)) or 0
            number = max(1, math.ceil(every / size))
            rows = _numbered(session, listed, conditions, order, number, size)
        return keyed_page(rows, total, number, size, forward=True)
    forward = at.after is not None
    later = forward != descending  # the page wanted lies after the key in ascending order
    # Bound as the columns' own types (UtcDateTime stores its own text form on SQLite).
    mark = tuple_(*(literal(value, type_=k.type) for k, value in zip(key, found, strict=True)))
    beyond = tuple_(*key) > mark if later else tuple_(*key) < mark
    order = [k if later else k.desc() for k in key]
    rows = _rows(session.execute(listed.where(beyond).order_by(*order).limit(size + 1)))
    return keyed_page(rows, total, number, size, forward=forward)


def _numbered(
    session: Session,
    listed: Select[Any],
    conditions: Sequence[ColumnElement[bool]],
    order: Sequence[Any],
    number: int,
    size: int,
) -> list[ReferralRow]:
    """Page `number` typed by hand (no key), `size` + 1 rows. Beyond page 1, OFFSET walks only
    the ids in the list's order (an index-only scan where the order has an index), then the
    page's rows are read by id: page 1 000 no longer joins the 50 000 rows before it."""
    read = listed.order_by(*order).limit(size + 1)
    if number <= 1:
        return _rows(session.execute(read))
    # In the referral's own order, its ids alone (the rest are outer joins on unique keys).
    alone = select(*order).get_final_froms() == [Referral.__table__]
    ids = (
        select(Referral.id).where(*conditions).order_by(*order).limit(size + 1)
        if alone
        else read.with_only_columns(Referral.id)
    )
    ids = ids.offset((number - 1) * size)
    return _rows(session.execute(listed.where(Referral.id.in_(ids)).order_by(*order)))


def _ids(conditions: Sequence[ColumnElement[bool]]) -> Select[Any]:
    """The referrals `conditions` select, with their placement joined if a condition needs it."""
    ids = select(Referral.id).where(*conditions)
    # What a condition reads outside its subqueries (what `ids.get_final_froms()` would say,
    # without compiling the statement: a twentieth of the investigator's list's time).
    if not any(Placement.__table__ in condition._from_objects for condition in conditions):
        return ids
    joined = select(Referral.id).outerjoin(Placement, Placement.referral_id == Referral.id)
    return joined.where(*conditions)


def _audit(
    session: Session,
    search: Search,
    actor: Actor,
    conditions: list[Any],
    now: datetime,
    address: str,
    apart: sessionmaker[Session] | None = None,
) -> None:
    """A search for a person is written to the audit log, with the referrals it found.
    With `apart` the list is read in a read-only unit of work and the audit row is written
    in its own short one: the page then holds no write lock while it reads and renders."""
    if not search.for_person:
        return
    found = list(session.scalars(_ids(conditions)))
    with audit.writing(session, apart) as into:
        audit.record_search(into, actor=actor, referral_ids=found, now=now, address=address)


def referrals_for(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    address: str = "",
    status: ReferralStatus | None = None,
    municipality_id: int | None = None,
    search: str | None = None,
    page: PageAt | int = 1,
    size: int = PAGE_SIZE,
    audit_apart: sessionmaker[Session] | None = None,
) -> Page[ReferralRow]:
    """An investigator's own referrals; every referral for the coordinator. Newest first."""
    conditions: list[ColumnElement[bool]] = []
    check_lists_referrals(actor)
    if actor.role is Role.INVESTIGATOR:
        conditions.append(Referral.investigator_id == actor.user_id)
    if status is not None:
        conditions.append(Referral.status == status)
    if municipality_id is not None:
        conditions.append(Referral.current_municipality_id == municipality_id)
    wanted = read_search(search, actor=actor, today=local_date(now))
    conditions += matching(wanted)
    _audit(session, wanted, actor, conditions, now, address, audit_apart)
    key = (Referral.created_at, Referral.id)
    if actor.role is not Role.INVESTIGATOR:
        if not wanted.empty:
            return _page(session, conditions, key, page, size, descending=True)
        # The whole list, or filtered: kept while the database reads the same (no personal
        # data in it, and the coordinator sees every referral).
        asked = (status, municipality_id, PageAt.of(page), size)
        return kept(
            session,
            "referral list",
            asked,
            lambda: _value(_page(session, conditions, key, page, size, descending=True)),
        )
    # The investigator finds their own participants by name: the names, and a log row each.
    named = (
        _listed()
        .add_columns(Participant.name, Participant.protected_identity)
        .outerjoin(Participant, Participant.referral_id == Referral.id)
    )
    found = _page(session, conditions, key, page, size, query=named, descending=True)
    shown = [r.referral_id for r in found.rows if r.name is not None]
    if shown:  # each name shown is a view of personal data: one row each
        audit.record_views(session, actor=actor, referral_ids=shown, now=now, address=address,
                           seen=Seen.OWN_LIST, fields=(Field.PERSONAL_DETAILS,),
                           apart=audit_apart)  # fmt: skip
    return found


@dataclass(frozen=True)
class Inbox:
    open_requests: Page[ReferralRow]
    placements: Page[ReferralRow]


def inbox_for(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    address: str = "",
    search: str | None = None,
    page: PageAt | int = 1,
    placements_page: PageAt | int = 1,
    size: int = PAGE_SIZE,
    audit_apart: sessionmaker[Session] | None = None,
) -> Inbox:
    """A municipality's open requests (oldest first), and its placements that still need
    something done: accepted, running, or ended without the final report."""
    check_answers_for(actor, actor.municipality_id)
    mine = actor.municipality_id
    wanted = read_search(search, actor=actor, today=local_date(now))
    searched = [
        *([Referral.consent_withdrawn_on.is_(None)] if wanted.for_person else []),
        *matching(wanted),
    ]  # a search for a person only where the contact sees the personal data
    asked = [Referral.status == S.REQUESTED, Referral.current_municipality_id == mine, *searched]
    running = [
        # None has its final report yet (domain.actions). Each was made here, and a referral
        # with a placement is asked nowhere else (domain.lifecycle: no request after the
        # acceptance), so its current municipality is this one too; saying so made
        # PostgreSQL expect 41 rows of 1 208 and sort them all. Read in the list's order
        # from ix_placement_without_report (migration 0033), the referrals by key.
        Placement.municipality_id == mine,
        Placement.final_report_on.is_(None),
        not_by_index(Referral.status).in_(ACTIVE_AT_MUNICIPALITY | {S.ENDED}),
        *searched,
    ]
    either = [or_(and_(*asked), and_(*running))]
    _audit(session, wanted, actor, either, now, address, audit_apart)

    def work() -> Inbox:
        return _inbox(session, wanted, mine, asked, running, searched, page, placements_page, size)

    if not wanted.empty:
        return work()
    # Unsearched: kept while the database reads the same (codes, statuses and dates only).
    return kept(session, "inbox", (mine, PageAt.of(page), PageAt.of(placements_page), size), work)


def _inbox(
    session: Session,
    wanted: Search,
    mine: int | None,
    asked: list[ColumnElement[bool]],
    running: list[ColumnElement[bool]],
    searched: list[ColumnElement[bool]],
    page: PageAt | int,
    placements_page: PageAt | int,
    size: int,
) -> Inbox:
    open_request = and_(
        PlacementRequest.referral_id == Referral.id,
        PlacementRequest.municipality_id == mine,
        PlacementRequest.answered_at.is_(None),
    )
    requests = _page(
        session,
        asked,
        (PlacementRequest.asked_at, Referral.reference_code),
        page,
        size,
        query=_listed(PlacementRequest.asked_at).join(PlacementRequest, open_request),
        # An open request here means the referral is asked here now: asking sets its status
        # and municipality, and every answer, withdrawal or withdrawn consent closes the
        # request (services.referrals). So the page joins the open requests alone, read in
        # order by ix_placement_request_open (0033); with the referral's two conditions too,
        # PostgreSQL expected 1 row of 201 and sorted them all.
        listing=searched,
    )
    total = worklist_queries.placements_total(session, mine, COUNT_LIMIT) if wanted.empty else None
    day = func.coalesce(Placement.started_on, Placement.meeting_on, _NO_DAY)  # as INBOX_DAY
    placements = _page(
        session, running, (day, Referral.reference_code), placements_page, size, total=total
    )
    return Inbox(_value(requests), _value(placements))


def _value(page: Page[ReferralRow]) -> Page[ReferralRow]:
    """The page with its rows in a tuple: a kept answer is a value (services.kept_answers)."""
    return replace(page, rows=tuple(page.rows))
