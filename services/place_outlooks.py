"""The next-free estimate (domain.forecast) of the municipalities shown, kept in the process
per municipality and revision of its plans (storage.place_summary): the triggers give a
municipality's plans a new random revision in the writer's transaction whenever they change,
so an answer reads one indexed row per municipality shown and works an estimate out again
(from its `place_end` rows) only when its plans, its free places, its intake, the program's
enrolment or intake stop, or the day have changed: the same estimate as worked out afresh.

The revisions are read before the plans, so the plans worked out under a revision are at
least as new as it: a later reader that sees the revision sees those plans or newer ones.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from datetime import date

from sqlalchemy.orm import Session

from domain import forecast
from domain.availability import MunicipalityPlaces
from domain.program import Program
from storage import place_summary, queries

_KEPT = 4096  # estimates kept (a national program has 290 municipalities)
_kept: OrderedDict[Hashable, forecast.PlaceOutlook] = OrderedDict()
_lock = threading.Lock()
# One thread of the process works estimates out at a time; the others wait and take what it
# kept. After a start, the 8 threads' first overviews otherwise each worked the same 25
# estimates out at once (about 0.6 s each on 2 cores, against 0.15 s for the rest).
_working = threading.Lock()


def _key(revision: str, program: Program, today: date, m: MunicipalityPlaces) -> Hashable:
    """Everything an estimate depends on besides the plans of the revision."""
    return (
        m.municipality_id,
        revision,
        program.enrolment_months,
        program.intake_stop,
        today,
        m.free,
        m.takes_requests,
    )


def _found(key: Hashable) -> forecast.PlaceOutlook | None:
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
        return found


def _keep(key: Hashable, outlook: forecast.PlaceOutlook) -> None:
    with _lock:
        _kept[key] = outlook
        while len(_kept) > _KEPT:
            _kept.popitem(last=False)


def outlooks(
    session: Session, program: Program, *, today: date, wanted: Sequence[MunicipalityPlaces]
) -> dict[int, forecast.PlaceOutlook]:
    """The outlook of each municipality in `wanted`: the kept one where its plans have not
    changed, otherwise worked out from its places in use (one read for all of those)."""
    revisions = place_summary.revisions(session, [m.municipality_id for m in wanted])
    keys = {
        m.municipality_id: _key(revisions[m.municipality_id], program, today, m)
        for m in wanted
        if m.municipality_id in revisions
    }
    found: dict[int, forecast.PlaceOutlook] = {}
    missing = _take_kept(wanted, keys, found)
    if not missing:
        return found
    with _working:
        return _work_out(session, program, today, missing, keys, found)


def _take_kept(
    wanted: Sequence[MunicipalityPlaces],
    keys: dict[int, Hashable],
    found: dict[int, forecast.PlaceOutlook],
) -> list[MunicipalityPlaces]:
    """Puts the kept estimates of `wanted` into `found`; those it has none for."""
    missing = []
    for m in wanted:
        kept = _found(keys[m.municipality_id]) if m.municipality_id in keys else None
        if kept is None:
            missing.append(m)
        else:
            found[m.municipality_id] = kept
    return missing


def _work_out(
    session: Session,
    program: Program,
    today: date,
    missing: Sequence[MunicipalityPlaces],
    keys: dict[int, Hashable],
    found: dict[int, forecast.PlaceOutlook],
) -> dict[int, forecast.PlaceOutlook]:
    """`found` with the estimates of `missing` added: those another thread kept meanwhile,
    the rest worked out and kept."""
    missing = _take_kept(missing, keys, found)
    if not missing:
        return found
    ids = [m.municipality_id for m in missing]
    ends = forecast.expected_ends(program, queries.places_in_use(session, ids), ids)
    for m in missing:
        found[m.municipality_id] = outlook = forecast.outlook_of(
            program,
            today=today,
            free=m.free,
            takes_requests=m.takes_requests,
            ends=ends[m.municipality_id],
        )
        if m.municipality_id in keys:
            _keep(keys[m.municipality_id], outlook)
    return found
