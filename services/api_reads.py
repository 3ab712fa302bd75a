"""What the open API reads (issue 26), as plain data: codes, statuses, municipalities,
dates and amounts. The participant's personal data only through services.audit, so a token
sees it exactly when a person of its role would, and each reading is logged as a page view
is. Who may see which referral is domain.access, as on the web site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from domain import requisition as requisition_rules
from domain.access import Actor, can_see_places, check_coordinates, check_sees_budget
from domain.audit import Field, Seen
from domain.choices import Role
from domain.errors import NotAllowed, NotFound, RuleViolation
from domain.money import Money
from domain.text import N_
from services import audit, history
from services import requisition_lists as requisition_cases
from services.program_setup import current_program
from services.referrals import get_referral
from services.reports import availability, year_budget
from storage.models import Municipality, Placement, PlacementRequest, Referral

PAGE_SIZE = 50
API_FIELDS = (Field.PERSONAL_DETAILS, Field.NEEDS)


@dataclass(frozen=True)
class ReferralLine:
    reference_code: str
    status: str
    municipality: str | None
    municipality_code: str | None
    filed_at: datetime


def _kronor(amount: Money) -> str:
    """Kronor with two decimals, as a string: exact, as a finance system books it."""
    return f"{amount.as_kronor:.2f}"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def referral_lines(
    session: Session, *, actor: Actor, page: int, size: int = PAGE_SIZE
) -> tuple[list[ReferralLine], int]:
    """The referrals the actor may see, newest first: every one for the coordinator, those
    their municipality was asked about for a municipality's contact."""
    conditions: list[Any] = []
    if actor.role is Role.MUNICIPALITY_CONTACT and actor.municipality_id is not None:
        conditions.append(
            exists().where(
                PlacementRequest.referral_id == Referral.id,
                PlacementRequest.municipality_id == actor.municipality_id,
            )
        )
    else:
        check_coordinates(actor)
    total = session.scalar(select(func.count(Referral.id)).where(*conditions)) or 0
    rows = session.execute(
        select(
            Referral.reference_code,
            Referral.status,
            Municipality.name,
            Municipality.code,
            Referral.created_at,
        )
        .outerjoin(Municipality, Municipality.id == Referral.current_municipality_id)
        .where(*conditions)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
        .limit(size)
        .offset((page - 1) * size)
    )
    lines = [
        ReferralLine(code, status.value, name, kod, at) for code, status, name, kod, at in rows
    ]
    return lines, total


def referral(
    session: Session,
    *,
    actor: Actor,
    reference_code: str,
    now: datetime,
    address: str,
    reason: str | None = None,
    asking_reasons: bool = False,
) -> dict[str, Any]:
    """One referral: status, requests, placement and milestones, history; the participant
    for those who may see personal data (logged as a page view is)."""
    found = get_referral(session, actor=actor, reference_code=reference_code)
    shown = audit.personal_data_for(
        session,
        actor=actor,
        referral=found,
        now=now,
        address=address,
        reason=reason,
        asking_reasons=asking_reasons,
        seen=Seen.API_REFERRAL,
        fields=API_FIELDS,
    )
    return {
        "reference_code": found.reference_code,
        "status": found.status.value,
        "benefit_type": found.benefit_type.value,
        "filed_at": _iso(found.created_at),
        "consent_on": _iso(found.consent_on),
        "consent_withdrawn_on": _iso(found.consent_withdrawn_on),
        "requests": [_request(r) for r in found.requests],
        "placement": _placement(found.placement),
        "history": [
            {"kind": e.kind.value, "at": _iso(e.at)} for e in history.history_of(session, found.id)
        ],
        "participant": None
        if shown is None
        else {
            "name": shown.name,
            "personal_identity_number": shown.personal_identity_number,
            "phone": shown.phone,
            "needs": shown.needs,
        },
    }


def _request(request: PlacementRequest) -> dict[str, Any]:
    return {
        "municipality": request.municipality.name,
        "municipality_code": request.municipality.code,
        "asked_at": _iso(request.asked_at),
        "answered_at": _iso(request.answered_at),
        "answer": request.answer.value if request.answer else None,
        "decline_reason": request.decline_reason.value if request.decline_reason else None,
    }


PLACEMENT_DATES = (
    "meeting_on",
    "started_on",
    "planned_end_on",
    "assessment_plan_on",
    "workplace_training_on",
    "ended_on",
    "final_report_on",
    "alternative_plan_on",
)


def _placement(placement: Placement | None) -> dict[str, Any] | None:
    if placement is None:
        return None
    return {
        "municipality": placement.municipality.name,
        "municipality_code": placement.municipality.code,
        **{name: _iso(getattr(placement, name)) for name in PLACEMENT_DATES},
        "outcome": placement.outcome.value if placement.outcome else None,
    }


def places(session: Session, *, actor: Actor, today: date) -> list[dict[str, Any]]:
    """Capacity and free places per municipality, with the next-free estimate
    (domain.forecast): null where no place is expected to be taken (closed, intake stop)."""
    if not can_see_places(actor):
        raise NotAllowed(N_("Only the coordinator and the municipalities' contacts see places."))
    codes = {
        municipality_id: code
        for municipality_id, code in session.execute(select(Municipality.id, Municipality.code))
    }
    return [
        {
            "municipality": m.municipality,
            "municipality_code": codes.get(m.municipality_id),
            "intake_state": m.state.value,
            "capacity": m.capacity,
            "started": m.started,
            "accepted_not_started": m.accepted_not_started,
            "free": m.free_now,
            "next_free_on": _iso(m.outlook.next_free_on) if m.outlook else None,
        }
        for m in availability(session, today=today).municipalities
    ]


def budget(session: Session, *, actor: Actor, year: int, today: date) -> dict[str, Any]:
    """A program year's budget: amounts in kronor as strings (exact), days, places."""
    check_sees_budget(actor)
    figures = year_budget(session, year=year, today=today)
    return {
        "year": year,
        "accrued_to": _iso(figures.accrued_to),
        "budget": _kronor(figures.budget),
        "daily_rate": _kronor(figures.daily_rate),
        "rate_confirmed": figures.rate_confirmed,
        "committed": _kronor(figures.committed),
        "accrued": _kronor(figures.accrued),
        "remaining": _kronor(figures.remaining),
        "full_year_places_left": str(figures.full_year_places_left),
    }


def requisitions(
    session: Session, *, actor: Actor, period: str | None, today: date
) -> list[dict[str, Any]]:
    """Requisition bases (state and total) for one period, `2026-03` as the web site writes
    it: the latest ended one when none is given. A municipality's contact sees its own
    municipality's, the coordinator and the association every municipality's."""
    if not requisition_rules.can_see_any(actor):
        raise NotFound(N_("There is no such requisition basis."))
    periods = requisition_rules.program_periods(current_program(session))
    started = [p for p in periods if p.started_on(today)]
    if period is None:
        ended = [p for p in started if p.ended_on(today)]
        chosen = (ended or started)[-1:]
    else:
        chosen = [p for p in started if p.key == period]
        if not chosen:
            raise RuleViolation(
                N_("There is no requisition period %(period)s that has started."),
                field="period",
                period=period,
            )
    found = requisition_cases.summaries(
        session,
        actor=actor,
        periods=chosen,
        today=today,
        municipality_id=actor.municipality_id if actor.is_contact else None,
    )
    return [
        {
            "municipality": s.municipality,
            "municipality_code": s.municipality_code,
            "period": s.period.key,
            "first_day": _iso(s.period.first),
            "last_day": _iso(s.period.last),
            "state": s.state.value,
            "total": _kronor(s.total),
            "rate_confirmed": s.rate_confirmed,
            "running": s.running,
        }
        for s in found
    ]
