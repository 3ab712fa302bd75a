"""A page of a list: its rows, the total and where it stands, and which page a link asks
for (by number, or by the reference code of the row it follows or precedes: keyset paging,
services.lists).

A national list is not counted to its end: a page is read by key whatever its depth, and the
count stops at COUNT_LIMIT (a list of 104 000 referrals says "over 1 000", as a search does;
a filter narrows it to a list that is counted exactly). Counting every row would be the only
part of the page that grows with the history."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
COUNT_LIMIT = 1000


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: Sequence[T]
    total: int
    number: int
    size: int
    # Paged by key: the links name the first and last row's reference code (PageAt).
    keyed: bool = False
    # Counted no further than COUNT_LIMIT: `total` is that limit and the list goes on, so
    # the number of pages is not known; `more` says whether rows follow this page.
    over: bool = False
    more: bool = False

    @property
    def pages(self) -> int:
        """The number of pages; of a list counted only to COUNT_LIMIT, those known so far."""
        if self.over:
            return self.number + (1 if self.more else 0)
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.more if self.over else self.number < self.pages

    @classmethod
    def of(cls, items: Sequence[T], number: int, size: int) -> Page[T]:
        """A page of a list already in memory (e.g. the municipalities, a few hundred)."""
        pages = max(1, math.ceil(len(items) / size))
        number = min(max(number, 1), pages)
        return cls(list(items[(number - 1) * size : number * size]), len(items), number, size)


@dataclass(frozen=True)
class PageAt:
    """Which page of a list: its number (shown, and used alone only for an address typed by
    hand), and the reference code of the row it follows (`after`, from a "next" link) or
    precedes (`before`, from a "previous" link). With a code, the page is read by key: the
    same few rows are read for page 1 000 as for page 2, where OFFSET would walk all before."""

    number: int = 1
    after: str | None = None
    before: str | None = None

    @classmethod
    def of(cls, page: PageAt | int) -> PageAt:
        """The page asked for, given as a PageAt or by its number alone."""
        return page if isinstance(page, PageAt) else cls(page)


def count_up_to(session: Session, rows: Select[Any], limit: int = COUNT_LIMIT) -> int:
    """How many rows `rows` selects, reading no more than `limit` + 1 of them: a result above
    `limit` means "over `limit`"."""
    counted = select(func.count()).select_from(rows.limit(limit + 1).subquery())
    return session.scalar(counted) or 0


def keyed_page(rows: list[T], counted: int, number: int, size: int, *, forward: bool) -> Page[T]:
    """A page of the `size` + 1 rows read from where it begins (`forward`) or ends: the one
    more says whether rows follow (before a page read backwards, its key row does)."""
    over = counted > COUNT_LIMIT
    shown = rows[:size] if forward else rows[:size][::-1]
    more = len(rows) > size if forward else True
    total = COUNT_LIMIT if over else counted
    return Page(shown, total, number, size, keyed=True, over=over, more=more)
