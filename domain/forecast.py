"""When the next place frees up in a municipality: an estimate from what is planned.

Every place in use has an expected last day: a running placement its planned end (an
extension moves it), an accepted placement not yet started the end of a whole enrolment
counted from its booked tripartite meeting. A place frees up the day after. With no free place
now, the next one is free when as many places have freed up as the municipality is over its
capacity, plus one. A municipality closed to intake, or a program past its intake stop, frees
places but takes nobody: it has no next free date, though the months still count what frees up.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate, pairwise

from domain.enrolment import planned_end
from domain.program import Program

MONTHS_AHEAD = 6  # how many coming months the outlook counts, this month included


@dataclass(frozen=True)
class PlaceInUse:
    """Places taken in a municipality with the same plan (one, unless `places` says more):
    a started placement by its planned end, an accepted one by its tripartite meeting."""

    municipality_id: int
    meeting_on: date | None  # the tripartite meeting, as booked; None once started
    planned_end_on: date | None  # None until the placement has started
    places: int = 1

    def expected_end(self, program: Program) -> date:
        """The last day the place is expected to be taken."""
        if self.planned_end_on is not None:
            return self.planned_end_on
        assert self.meeting_on is not None  # an accepted placement has its meeting booked
        return planned_end(program, self.meeting_on)


@dataclass(frozen=True)
class MonthFreeing:
    month: date  # the first day of the month
    places: int  # places expected to free up during it


@dataclass(frozen=True)
class PlaceOutlook:
    """An estimate, never a promise: `next_free_on` None means no place is expected to be
    taken (closed to intake, intake stop, or nothing frees up)."""

    next_free_on: date | None
    months: tuple[MonthFreeing, ...]
    free_now: bool = False


def _first_of_month(day: date, months_on: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months_on
    return date(index // 12, index % 12 + 1, 1)


def place_outlook(
    *,
    free: int,
    takes_requests: bool,
    ends: Iterable[date],
    today: date,
    intake_stop: date | None,
    months_ahead: int = MONTHS_AHEAD,
) -> PlaceOutlook:
    """`free` is capacity − places in use (negative when over capacity); `ends` the expected
    last day of each place in use."""
    return _outlook(
        free=free,
        takes_requests=takes_requests,
        ends=Counter(ends),
        today=today,
        intake_stop=intake_stop,
        months_ahead=months_ahead,
    )


def _outlook(
    *,
    free: int,
    takes_requests: bool,
    ends: Mapping[date, int],
    today: date,
    intake_stop: date | None,
    months_ahead: int = MONTHS_AHEAD,
) -> PlaceOutlook:
    """As place_outlook, with `ends` the number of places expected to end on each day. A
    planned end already past frees its place today: the placement has not been ended, so the
    place is expected back any day."""
    freed: dict[date, int] = {}
    for end, places in ends.items():
        day = max(end + timedelta(days=1), today)
        freed[day] = freed.get(day, 0) + places
    days = sorted(freed)
    by_then = list(accumulate(freed[day] for day in days))  # freed up by each of `days`

    def freed_before(day: date) -> int:
        index = bisect_left(days, day)
        return by_then[index - 1] if index else 0

    first_months = [_first_of_month(today, n) for n in range(months_ahead + 1)]
    months = tuple(
        MonthFreeing(start, freed_before(following) - freed_before(start))
        for start, following in pairwise(first_months)
    )
    if free > 0:
        next_free_on: date | None = today
    else:
        needed = -free + 1  # places to free up before one is free
        index = bisect_left(by_then, needed)
        next_free_on = days[index] if index < len(days) else None
    if not takes_requests or (
        next_free_on is not None and intake_stop is not None and next_free_on >= intake_stop
    ):
        next_free_on = None
    return PlaceOutlook(next_free_on, months, free_now=free > 0 and next_free_on is not None)


def expected_ends(
    program: Program, in_use: Iterable[PlaceInUse], municipality_ids: Iterable[int]
) -> dict[int, dict[date, int]]:
    """The places expected to end on each day, of each municipality given; places in use of
    other municipalities are passed over."""
    ends: dict[int, dict[date, int]] = {municipality_id: {} for municipality_id in municipality_ids}
    # At national scale thousands of places share a few hundred plans: each plan's end is
    # worked out once (a month's arithmetic each).
    end_of: dict[tuple[date | None, date | None], date] = {}
    for place in in_use:
        of_municipality = ends.get(place.municipality_id)
        if of_municipality is None:
            continue
        plan = (place.meeting_on, place.planned_end_on)
        end = end_of.get(plan)
        if end is None:
            end = end_of[plan] = place.expected_end(program)
        of_municipality[end] = of_municipality.get(end, 0) + place.places
    return ends


def outlook_of(
    program: Program, *, today: date, free: int, takes_requests: bool, ends: Mapping[date, int]
) -> PlaceOutlook:
    """One municipality's outlook from the places expected to end on each day (expected_ends)."""
    return _outlook(
        free=free,
        takes_requests=takes_requests,
        ends=ends,
        today=today,
        intake_stop=program.intake_stop,
    )


def outlooks(
    program: Program,
    *,
    today: date,
    free: dict[int, int],
    takes_requests: dict[int, bool],
    in_use: Iterable[PlaceInUse],
) -> dict[int, PlaceOutlook]:
    """The outlook of each municipality in `free` (keyed by municipality id); places in use
    of other municipalities are passed over."""
    ends = expected_ends(program, in_use, free)
    return {
        municipality_id: outlook_of(
            program,
            today=today,
            free=places,
            takes_requests=takes_requests[municipality_id],
            ends=ends[municipality_id],
        )
        for municipality_id, places in free.items()
    }
