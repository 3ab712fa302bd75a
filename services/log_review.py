"""Log review (loggkontroll) for the log reviewer: search the audit log by person, reference
code and period; a random sample of views; the flags of domain.log_review; documented
reviews. Every search, sample and export is itself written to the log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Actor, check_reviews_log
from domain.audit import PERSONAL_DATA_VIEWS, Field, Seen
from domain.choices import Role
from domain.clock import STOCKHOLM, local_date
from domain.errors import RuleViolation, checked_text
from domain.events import EventKind
from domain.lifecycle import ReferralStatus, RequestAnswer
from domain.log_review import Flag, ViewFacts, flags_for, sample
from domain.text import N_
from services.audit import record_view
from storage.models import AuditEntry, Event, LogReview, Municipality, Referral, User

SHOWN = 500
MAX_CONCLUSION = 5000


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def moments(self) -> tuple[datetime, datetime]:
        first = datetime.combine(self.start, time(0), STOCKHOLM)
        after = datetime.combine(self.end + timedelta(days=1), time(0), STOCKHOLM)
        return first, after


def checked_period(start: date | None, end: date | None) -> Period:
    if start is None or end is None:
        raise RuleViolation(N_("Enter the period's first and last day."), field="period_from")
    if end < start:
        raise RuleViolation(
            N_("The period's last day cannot be before its first."), field="period_to"
        )
    return Period(start, end)


@dataclass(frozen=True)
class LogRow:
    id: int
    at: datetime
    user: str
    role: Role | None
    municipality: str | None
    address: str
    seen: Seen
    fields: tuple[Field, ...]
    code: str | None
    reason: str | None
    flags: frozenset[Flag]


def _closed_on(referral: Referral, withdrawn: dict[int, datetime]) -> date | None:
    if referral.status is ReferralStatus.ENDED and referral.placement is not None:
        return referral.placement.ended_on
    if referral.id in withdrawn:
        return local_date(withdrawn[referral.id])
    return None


def _rows(session: Session, entries: list[AuditEntry]) -> list[LogRow]:
    users = {u.id: u.name for u in session.scalars(select(User))}
    towns = {m.id: m.name for m in session.scalars(select(Municipality))}
    ids = {e.referral_id for e in entries if e.referral_id is not None}
    referrals = _referrals(session, ids)
    flags = flags_for(_view_facts(entries, referrals, _withdrawn_at(session, ids)))
    return [
        LogRow(
            id=e.id,
            at=e.at,
            user=users.get(e.user_id, "–"),
            role=e.role,
            municipality=towns.get(e.municipality_id) if e.municipality_id else None,
            address=e.address,
            seen=Seen(e.action),
            fields=tuple(Field(f) for f in e.fields or [] if f in set(Field)),
            code=referrals[e.referral_id].reference_code if e.referral_id in referrals else None,
            reason=e.reason,
            flags=frozenset(flags.get(e.id, set())),
        )
        for e in entries
    ]


def _referrals(session: Session, ids: set[int]) -> dict[int, Referral]:
    if not ids:
        return {}
    return {r.id: r for r in session.scalars(select(Referral).where(Referral.id.in_(ids)))}


def _withdrawn_at(session: Session, ids: set[int]) -> dict[int, datetime]:
    """When each of these referrals was withdrawn, if it was."""
    if not ids:
        return {}
    return {
        e.referral_id: e.at
        for e in session.scalars(
            select(Event).where(Event.kind == EventKind.WITHDRAWN, Event.referral_id.in_(ids))
        )
        if e.referral_id is not None
    }


def _declined_at(referrals: dict[int, Referral], entry: AuditEntry) -> datetime | None:
    """When the viewer's municipality first declined the referral viewed, if it did."""
    referral = referrals.get(entry.referral_id) if entry.referral_id else None
    if referral is None or entry.municipality_id is None:
        return None
    times = [
        r.answered_at
        for r in referral.requests
        if r.municipality_id == entry.municipality_id
        and r.answer is RequestAnswer.DECLINED
        and r.answered_at is not None
    ]
    return min(times) if times else None


def _view_facts(
    entries: list[AuditEntry], referrals: dict[int, Referral], withdrawn: dict[int, datetime]
) -> list[ViewFacts]:
    """What domain.log_review needs to flag the views of personal data among the entries."""
    return [
        ViewFacts(
            id=e.id,
            at=e.at,
            user_id=e.user_id,
            role=e.role,
            referral_id=e.referral_id,
            referral_closed_on=_closed_on(referrals[e.referral_id], withdrawn)
            if e.referral_id in referrals
            else None,
            declined_by_viewer_municipality_at=_declined_at(referrals, e),
            protected_identity=Field.PROTECTED_IDENTITY.value in (e.fields or []),
        )
        for e in entries
        if Seen(e.action) in PERSONAL_DATA_VIEWS
    ]


def _entries(
    session: Session, period: Period, user_id: int | None, code: str | None
) -> list[AuditEntry]:
    first, after = period.moments()
    query = select(AuditEntry).where(AuditEntry.at >= first, AuditEntry.at < after)
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    if code:
        referral_id = session.scalar(
            select(Referral.id).where(Referral.reference_code == code.strip().upper())
        )
        query = query.where(AuditEntry.referral_id == (referral_id or -1))
    return list(session.scalars(query.order_by(AuditEntry.at, AuditEntry.id)))


def search(
    session: Session,
    *,
    actor: Actor,
    period: Period,
    user_id: int | None = None,
    code: str | None = None,
    flagged_only: bool = False,
    now: datetime,
    address: str,
    seen: Seen = Seen.LOG_SEARCH,
) -> list[LogRow]:
    """Views in the period (by one person, or of one referral); the search is logged."""
    check_reviews_log(actor)
    found = _rows(session, _entries(session, period, user_id, code))
    if flagged_only:
        found = [r for r in found if r.flags]
    record_view(
        session,
        actor=actor,
        referral_id=None,
        now=now,
        address=address,
        seen=seen,
        fields=(Field.ACCESS_LOG,),
        query=_query(period, user_id, code, flagged_only=flagged_only),
    )
    return found[:SHOWN] if seen is Seen.LOG_SEARCH else found


def _query(period: Period, user_id: int | None, code: str | None, **more: Any) -> dict[str, Any]:
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "user_id": user_id,
        "code": (code or "").strip().upper() or None,
        **more,
    }


def random_sample(
    session: Session,
    *,
    actor: Actor,
    period: Period,
    size: int,
    now: datetime,
    address: str,
    seed: int | None = None,
) -> list[LogRow]:
    """A random sample of views of personal data in the period (the sample is logged)."""
    check_reviews_log(actor)
    if not 1 <= size <= 200:
        raise RuleViolation(N_("The sample is 1 to 200 views."), field="size")
    entries = [
        e for e in _entries(session, period, None, None) if Seen(e.action) in PERSONAL_DATA_VIEWS
    ]
    chosen = set(sample([e.id for e in entries], size, seed=seed))
    rows = [r for r in _rows(session, entries) if r.id in chosen]
    record_view(
        session,
        actor=actor,
        referral_id=None,
        now=now,
        address=address,
        seen=Seen.LOG_SAMPLE,
        fields=(Field.ACCESS_LOG,),
        query={**_query(period, None, None), "size": size, "ids": sorted(chosen)},
    )
    return rows


def record_review(
    session: Session,
    *,
    actor: Actor,
    period: Period,
    selection: dict[str, Any],
    conclusion: str,
    now: datetime,
) -> LogReview:
    """Documents a review: by whom, when, of what, and the conclusion."""
    check_reviews_log(actor)
    conclusion = checked_text(conclusion, MAX_CONCLUSION, "conclusion")
    if not conclusion:
        raise RuleViolation(N_("Write the review's conclusion."), field="conclusion")
    review = LogReview(
        reviewer_id=actor.user_id,
        at=now,
        period_from=period.start,
        period_to=period.end,
        selection=selection,
        conclusion=conclusion,
    )
    session.add(review)
    session.flush()
    return review


def reviews(session: Session, *, actor: Actor) -> list[LogReview]:
    check_reviews_log(actor)
    return list(
        session.scalars(select(LogReview).order_by(LogReview.at.desc(), LogReview.id.desc()))
    )


def people(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """Everyone who can appear in the log, for the search form."""
    check_reviews_log(actor)
    return [
        (u.id, f"{u.name} ({u.email})") for u in session.scalars(select(User).order_by(User.name))
    ]
