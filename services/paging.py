"""A page of a list: its rows, the total and where it stands, and which page a link asks
for (by number, or by the reference code of the row it follows or precedes: keyset paging,
services.lists)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int
    number: int
    size: int
    # Paged by key: the links name the first and last row's reference code (PageAt).
    keyed: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

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
