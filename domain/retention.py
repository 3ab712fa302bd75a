"""Gallring: when a referral's personal data is due to be purged.

A participant who ended: `retention_months` after the end date. A referral that never led to
a placement (withdrawn, or declined with nothing open): `retention_months_not_started` after
it was closed. Running and open referrals are never due. Only the participant's personal
data goes (name, personnummer, phone, needs, decline comments); the reference code,
municipality, dates, statuses, outcome and compensable days stay, so every figure made from
them stays the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from domain.lifecycle import ReferralStatus
from domain.program import Program

S = ReferralStatus


@dataclass(frozen=True)
class RetentionFacts:
    status: ReferralStatus
    # The participant's end date, when a placement ended.
    ended_on: date | None
    # When a referral without a placement was closed: withdrawn, or its last decline.
    closed_on: date | None


def purge_due_on(facts: RetentionFacts, program: Program) -> date | None:
    """The first day on which the personal data may be purged, or None while it is needed."""
    if facts.status is S.ENDED and facts.ended_on is not None:
        return (
            facts.ended_on + relativedelta(months=program.retention_months) + relativedelta(days=1)
        )
    if facts.status in {S.WITHDRAWN, S.DECLINED} and facts.closed_on is not None:
        months = program.retention_months_not_started
        return facts.closed_on + relativedelta(months=months) + relativedelta(days=1)
    return None


def is_due(facts: RetentionFacts, program: Program, today: date) -> bool:
    """More than the retention period has passed since the end (or the close)."""
    due = purge_due_on(facts, program)
    return due is not None and today >= due


def audit_cutoff(program: Program, now: datetime) -> datetime:
    """Rows of the audit log older than this are past their retention."""
    return now - relativedelta(months=program.audit_retention_months)
