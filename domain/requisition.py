"""Requisition (rekvirering): each municipality claims its compensation per period, the FK
coordinator attests it, the association pays it; what is not yet claimed is an accrued cost.

- Periods come from the program: two months by default (jan–feb, mar–apr, …), one month
  as a setting; a period never crosses a calendar year.
- A basis (rekvisitionsunderlag) has one line per placement with compensable days in the
  period (the budget's days: domain.calendar), the year's daily rate and the amount, and
  correction lines for earlier periods whose days changed after they were submitted.
- The flow: draft (computed live) -> submitted by the municipality's contact (the lines are
  frozen) -> attested by the coordinator, or returned with a reason (back to draft) ->
  paid, recorded by the association with the payment date.
- Reference codes only: an invoice becomes a public document at the association.

What a page offers and what a use case accepts come from the same rule (`allowed`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from domain.access import Actor
from domain.choices import Role
from domain.errors import NotAllowed, NotFound, RuleViolation
from domain.money import ZERO, Money
from domain.periods import (  # the periods are named from here too
    PERIOD_MONTHS as PERIOD_MONTHS,
)
from domain.periods import Period as Period
from domain.periods import parse_period as parse_period
from domain.periods import period_containing as period_containing
from domain.periods import periods_ended_by as periods_ended_by
from domain.periods import program_periods as program_periods
from domain.program import Program
from domain.text import N_

MAX_RETURN_REASON = 1000


class State(StrEnum):
    """Where a basis stands. DRAFT is not stored: a period without a standing submission."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ATTESTED = "attested"
    PAID = "paid"
    RETURNED = "returned"  # a submission sent back: the period is a draft again


REQUISITION_STATE_LABELS = {
    State.DRAFT: N_("Draft"),
    State.SUBMITTED: N_("Submitted, waiting for attestation"),
    State.ATTESTED: N_("Attested, waiting for payment"),
    State.PAID: N_("Paid"),
    State.RETURNED: N_("Returned"),
}
# Not stored either: a period sent back is a draft again, shown as RETURNED until submitted.
UNSUBMITTED = (State.DRAFT, State.RETURNED)


@dataclass(frozen=True)
class Line:
    """One placement's compensable days in the period."""

    reference_code: str
    first_day: date
    last_day: date
    days: int
    daily_rate: Money

    @property
    def amount(self) -> Money:
        return self.daily_rate * self.days


class CorrectionKind(StrEnum):
    """Why an earlier period is corrected: its days changed (dates), or its year's daily rate
    was changed after the period was claimed (Ändrad dagersättning)."""

    DAYS = "days"
    RATE = "rate"


@dataclass(frozen=True)
class Correction:
    """A change to a submitted period, carried on a later basis. DAYS: the days the placement
    has in `period` now, less the days claimed for it before, at the year's rate. RATE: the
    days stay as claimed, the amount is those days × the change of the daily rate."""

    reference_code: str
    period: Period
    claimed_days: int
    current_days: int
    amount: Money
    kind: CorrectionKind = CorrectionKind.DAYS

    @property
    def days(self) -> int:
        return self.current_days - self.claimed_days


def corrections_for(
    reference_code: str,
    period: Period,
    *,
    claimed_days: int,
    claimed: Money,
    current_days: int,
    rate: Money,
) -> list[Correction]:
    """What is owed for one placement in an earlier, claimed period: the days that changed at
    the year's rate now, and — when the rate itself changed — the claimed days × the change.
    Together they make the period's amount today (current days × rate) less what was claimed."""
    found = []
    changed = current_days - claimed_days
    if changed:
        found.append(Correction(reference_code, period, claimed_days, current_days, rate * changed))
    by_rate = rate * current_days - claimed - rate * changed
    if by_rate.ore:
        found.append(
            Correction(
                reference_code, period, claimed_days, claimed_days, by_rate, CorrectionKind.RATE
            )
        )
    return found


def earliest_start(program: Program, first: date) -> date:
    """The earliest start of a placement that can have days on or after `first`: one that
    started before this ended, by the longest enrolment (domain.enrolment.latest_end), the
    day before at the latest. A basis reads only the placements started since."""
    return first - relativedelta(months=program.max_enrolment_months)


class StepKind(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ATTESTED = "attested"
    PAID = "paid"


@dataclass(frozen=True)
class Step:
    """One step of a basis's story: what was done, by whom, when (and why, or paid when)."""

    kind: StepKind
    at: datetime
    by: str
    reason: str = ""
    paid_on: date | None = None


@dataclass(frozen=True)
class Header:
    """What an invoice needs besides the lines."""

    program: str
    association: str
    municipality: str
    municipality_code: str
    reference: str
    account: str


@dataclass(frozen=True)
class Basis:
    municipality_id: int
    header: Header
    period: Period
    state: State
    daily_rate: Money
    rate_confirmed: bool
    lines: tuple[Line, ...]
    corrections: tuple[Correction, ...] = ()
    running: bool = False  # the period has not ended: figures so far
    requisition_id: int | None = None  # the standing submission, when there is one
    submitted_at: datetime | None = None
    attested_at: datetime | None = None
    paid_on: date | None = None
    returns: tuple[tuple[datetime, str], ...] = field(default=())  # earlier submissions sent back
    story: tuple[Step, ...] = ()  # every step of this period's bases, oldest first
    year_rate: Money | None = None  # the year's rate now, when it differs from a claimed one

    @property
    def return_reason(self) -> str | None:
        """Why the period was last sent back, while it is returned (a draft again)."""
        if self.state is not State.RETURNED or not self.returns:
            return None
        return self.returns[-1][1]

    @property
    def days(self) -> int:
        return sum(line.days for line in self.lines)

    @property
    def lines_amount(self) -> Money:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def corrections_amount(self) -> Money:
        return sum((c.amount for c in self.corrections), ZERO)

    @property
    def total(self) -> Money:
        return self.lines_amount + self.corrections_amount

    @property
    def preliminary(self) -> bool:
        """Running, or at a rate not yet confirmed: the figures may still change."""
        return self.running or not self.rate_confirmed


class Action(StrEnum):
    SUBMIT = "submit"
    ATTEST = "attest"
    RETURN = "return"
    MARK_PAID = "mark_paid"


def can_see(actor: Actor, municipality_id: int) -> bool:
    """A municipality's contacts see its own bases; FK's coordinator, the association and
    the administrator see all of them."""
    if actor.role in {Role.COORDINATOR, Role.ASSOCIATION, Role.ADMIN}:
        return True
    return actor.is_contact and actor.municipality_id == municipality_id


def can_see_any(actor: Actor) -> bool:
    return actor.role in {Role.COORDINATOR, Role.ASSOCIATION, Role.ADMIN, Role.MUNICIPALITY_CONTACT}


def check_sees(actor: Actor, municipality_id: int) -> None:
    if not can_see(actor, municipality_id):
        raise NotFound(N_("There is no such requisition basis."))


def can_see_accruals(actor: Actor) -> bool:
    return actor.role in {Role.ASSOCIATION, Role.COORDINATOR, Role.ADMIN}


def check_sees_accruals(actor: Actor) -> None:
    if not can_see_accruals(actor):
        raise NotAllowed(
            N_("Only the association, the coordinator and the administrator see the accruals.")
        )


_ROLE_OF = {
    Action.SUBMIT: Role.MUNICIPALITY_CONTACT,
    Action.ATTEST: Role.COORDINATOR,
    Action.RETURN: Role.COORDINATOR,
    Action.MARK_PAID: Role.ASSOCIATION,
}
_NOT_YOURS = {
    Action.SUBMIT: N_("Only the municipality's own contacts can submit its requisition basis."),
    Action.ATTEST: N_("Only Försäkringskassan's coordinator can attest a requisition basis."),
    Action.RETURN: N_("Only Försäkringskassan's coordinator can return a requisition basis."),
    Action.MARK_PAID: N_("Only the association can record that a requisition basis is paid."),
}


def is_actors(actor: Actor, basis: Basis, action: Action) -> bool:
    """The action belongs to the actor's role (and, to submit, to their municipality)."""
    if actor.role is not _ROLE_OF[action]:
        return False
    return action is not Action.SUBMIT or actor.municipality_id == basis.municipality_id


def refusal(basis: Basis, action: Action, today: date) -> RuleViolation | None:
    """Why the action cannot be done to the basis now (None: it can)."""
    period = basis.period
    if action is Action.SUBMIT:
        if basis.state not in UNSUBMITTED:
            return RuleViolation(
                N_(
                    "The requisition basis for %(first)s – %(last)s has already been "
                    "submitted; a period can be submitted once."
                ),
                first=period.first,
                last=period.last,
            )
        if not period.ended_on(today):
            return RuleViolation(
                N_(
                    "The period %(first)s – %(last)s has not ended; its basis can be submitted "
                    "from %(date)s."
                ),
                first=period.first,
                last=period.last,
                date=period.last + timedelta(days=1),
            )
        return None
    if action in (Action.ATTEST, Action.RETURN) and basis.state is not State.SUBMITTED:
        return no_longer(action)
    if action is Action.ATTEST and not basis.rate_confirmed:
        return RuleViolation(
            N_(
                "The daily rate for %(year)s is not confirmed yet; the basis can be attested "
                "once it is."
            ),
            year=str(period.year),
        )
    if action is Action.MARK_PAID and basis.state is not State.ATTESTED:
        return no_longer(action)
    return None


_NOT_NOW = {
    Action.ATTEST: N_("Only a submitted basis that waits for attestation can be attested."),
    Action.RETURN: N_("Only a submitted basis that waits for attestation can be returned."),
    Action.MARK_PAID: N_("Only an attested basis can be recorded as paid."),
}


def no_longer(action: Action) -> RuleViolation:  # attest, return or mark paid
    """The refusal when the basis is not (or no longer) in the state the action needs: the
    same sentence whether the page was stale or someone else acted a moment before."""
    return RuleViolation(_NOT_NOW[action])


def allowed(actor: Actor, basis: Basis, today: date) -> list[Action]:
    """What the page offers this actor: the actions that are theirs and possible now."""
    return [
        action
        for action in Action
        if is_actors(actor, basis, action) and refusal(basis, action, today) is None
    ]


def check(actor: Actor, basis: Basis, action: Action, today: date) -> None:
    """The same rule, asked again by the use case."""
    if not is_actors(actor, basis, action):
        raise NotAllowed(_NOT_YOURS[action])
    problem = refusal(basis, action, today)
    if problem is not None:
        raise problem


def check_payment_date(paid_on: date | None, attested_on: date, today: date) -> date:
    if paid_on is None:
        raise RuleViolation(N_("Enter the payment date."), field="paid_on")
    if paid_on > today:
        raise RuleViolation(N_("The payment date cannot be in the future."), field="paid_on")
    if paid_on < attested_on:
        raise RuleViolation(
            N_("The payment date cannot be before the basis was attested, %(date)s."),
            field="paid_on",
            date=attested_on,
        )
    return paid_on


def checked_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise RuleViolation(
            N_("Write why the basis is returned, so that the municipality can correct it."),
            field="reason",
        )
    if len(text) > MAX_RETURN_REASON:
        raise RuleViolation(
            N_("The text is too long: at most %(limit)s characters."),
            field="reason",
            limit=MAX_RETURN_REASON,
        )
    return text


@dataclass(frozen=True)
class Accrual:
    """A period that is earned but not paid (not submitted, returned, submitted or attested):
    what the association books as an accrued cost, with its state."""

    municipality_id: int
    municipality: str
    municipality_code: str
    period: Period
    state: State
    amount: Money
    rate_confirmed: bool


def accrual_total(accruals: list[Accrual]) -> Money:
    return sum((a.amount for a in accruals), ZERO)
