"""Log review (loggkontroll): the patterns in the audit log worth a closer look, and a random
sample of views. Pure rules over plain facts about each logged view.

Flags (HSLF-FS 2016:40 4 kap. 9 § asks for systematic, recurring, documented review):
- many distinct referrals opened by one person within an hour;
- a referral opened after it ended (or was withdrawn);
- a view outside office hours (before 07:00, from 18:00, weekends and public holidays);
- a municipality contact opening a referral their municipality had declined;
- every opening of a participant with skyddade personuppgifter.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from domain.calendar import is_working_day
from domain.choices import Role
from domain.clock import STOCKHOLM
from domain.text import N_

MANY_WINDOW = timedelta(hours=1)
MANY_REFERRALS = 10
OFFICE_OPENS, OFFICE_CLOSES = time(7, 0), time(18, 0)
MAX_SAMPLE = 200


class Flag(StrEnum):
    MANY_REFERRALS = "many_referrals"
    AFTER_END = "after_end"
    OUTSIDE_HOURS = "outside_hours"
    PROTECTED_IDENTITY = "protected_identity"
    DECLINED_BY_OWN_MUNICIPALITY = "declined_by_own_municipality"


FLAG_LABELS = {
    Flag.MANY_REFERRALS: N_("Many referrals within an hour"),
    Flag.AFTER_END: N_("Opened after the referral ended"),
    Flag.OUTSIDE_HOURS: N_("Outside office hours"),
    Flag.DECLINED_BY_OWN_MUNICIPALITY: N_("Referral the viewer's municipality declined"),
    Flag.PROTECTED_IDENTITY: N_("Participant with protected personal data"),
}


@dataclass(frozen=True)
class ViewFacts:
    id: int
    at: datetime
    user_id: int
    role: Role | None
    referral_id: int | None
    # When the referral ended or was withdrawn (None while it runs).
    referral_closed_on: date | None = None
    # When the viewer's municipality declined this referral (None if it never did).
    declined_by_viewer_municipality_at: datetime | None = None
    # The participant has skyddade personuppgifter: every opening is flagged.
    protected_identity: bool = False


def outside_office_hours(moment: datetime) -> bool:
    local = moment.astimezone(STOCKHOLM)
    if not is_working_day(local.date()):
        return True
    return not OFFICE_OPENS <= local.time() < OFFICE_CLOSES


def _many(views: Sequence[ViewFacts]) -> set[int]:
    """Views inside an hour in which one person opened many distinct referrals."""
    flagged: set[int] = set()
    by_user: dict[int, list[ViewFacts]] = defaultdict(list)
    for view in views:
        if view.referral_id is not None:
            by_user[view.user_id].append(view)
    for own in by_user.values():
        own.sort(key=lambda v: v.at)
        start = 0
        for end in range(len(own)):
            while own[end].at - own[start].at > MANY_WINDOW:
                start += 1
            window = own[start : end + 1]
            if len({v.referral_id for v in window}) >= MANY_REFERRALS:
                flagged.update(v.id for v in window)
    return flagged


def flags_for(views: Iterable[ViewFacts]) -> dict[int, set[Flag]]:
    """The flags of each view (by id); views without flags are left out."""
    views = list(views)
    found: dict[int, set[Flag]] = defaultdict(set)
    for view_id in _many(views):
        found[view_id].add(Flag.MANY_REFERRALS)
    for view in views:
        if view.referral_id is None:
            continue
        local_day = view.at.astimezone(STOCKHOLM).date()
        if view.referral_closed_on is not None and local_day > view.referral_closed_on:
            found[view.id].add(Flag.AFTER_END)
        if outside_office_hours(view.at):
            found[view.id].add(Flag.OUTSIDE_HOURS)
        if view.protected_identity:
            found[view.id].add(Flag.PROTECTED_IDENTITY)
        declined = view.declined_by_viewer_municipality_at
        if view.role is Role.MUNICIPALITY_CONTACT and declined is not None and declined <= view.at:
            found[view.id].add(Flag.DECLINED_BY_OWN_MUNICIPALITY)
    return dict(found)


def sample(ids: Sequence[int], size: int, *, seed: int | None = None) -> list[int]:
    """A random sample of `size` views (all when fewer), in log order."""
    size = max(0, min(size, MAX_SAMPLE, len(ids)))
    chosen = random.Random(seed).sample(list(ids), size)
    return sorted(chosen)
